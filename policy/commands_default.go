package policy

import "github.com/safedocker/safedocker/validate"

// defaultCommandValidator returns the validate package's default list-command
// validator, which New uses when Config.Commands is nil.
func defaultCommandValidator() (CommandValidator, error) {
	v, err := validate.NewCommandValidator()
	if err != nil {
		return nil, &ConfigError{Field: "Commands", Reason: "the default command validator: " + err.Error()}
	}
	return v, nil
}
