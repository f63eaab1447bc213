package policy

import "github.com/safedocker/safedocker/validate"

// defaultCommandValidator returns the validate package's default list-command
// validator, which New uses when Config.Commands is nil.
//
// It accepts a top-level interactive shell (`docker run -it alpine sh`: a shell
// with no -c and no script file): what a person types into an attached
// terminal is outside what a request can show, just as the programs inside the
// image are, and such a shell gains nothing the container's privileges do not
// already allow. A shell fed from a pipe inside a script (`... | base64 -d | sh`)
// stays denied: that is a command hidden from the checker, not a terminal.
func defaultCommandValidator() (CommandValidator, error) {
	v, err := validate.NewCommandValidator(validate.AllowStdinShell())
	if err != nil {
		return nil, &ConfigError{Field: "Commands", Reason: "the default command validator: " + err.Error()}
	}
	return v, nil
}
