package policy

// defaultCommandValidator returns the validate package's default list-command
// validator, which New uses when Config.Commands is nil.
func defaultCommandValidator() (CommandValidator, error) {
	return nil, configErr("Commands", "", "the default command validator is not available yet; set Config.Commands")
}
