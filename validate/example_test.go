package validate_test

import (
	"errors"
	"fmt"

	"github.com/safedocker/safedocker/validate"
)

func ExampleCommandValidator() {
	v, err := validate.NewCommandValidator()
	if err != nil {
		panic(err)
	}
	for _, argv := range [][]string{
		{"echo", "hello; rm -rf /"},           // exec form: no shell, just data
		{"sh", "-c", "echo nsenter"},          // a word, not a command
		{"/usr/bin/nsenter", "-t", "1", "-m"}, // denied program
		{"timeout", "5", "sh", "-c", "ls | nsenter -t 1"},
		{"sh", "-c", "echo bnNlbnRlcgo= | base64 -d | sh"},
		{"sh", "-c", "$CMD --flag"},
	} {
		err := v.ValidateArgv(argv)
		var ce *validate.CommandError
		if errors.As(err, &ce) {
			fmt.Printf("%q: denied=%v rule=%s program=%q argv[%d]\n",
				argv, errors.Is(err, validate.ErrCommandDenied), ce.Rule, ce.Program, ce.ArgIndex())
			continue
		}
		fmt.Printf("%q: ok\n", argv)
	}
	// Output:
	// ["echo" "hello; rm -rf /"]: ok
	// ["sh" "-c" "echo nsenter"]: ok
	// ["/usr/bin/nsenter" "-t" "1" "-m"]: denied=true rule=denied-program program="nsenter" argv[0]
	// ["timeout" "5" "sh" "-c" "ls | nsenter -t 1"]: denied=true rule=denied-program program="nsenter" argv[4]
	// ["sh" "-c" "echo bnNlbnRlcgo= | base64 -d | sh"]: denied=true rule=shell-stdin program="sh" argv[2]
	// ["sh" "-c" "$CMD --flag"]: denied=true rule=unverifiable-command program="" argv[2]
}

func ExampleAllowOnly() {
	v, err := validate.NewCommandValidator(validate.AllowOnly("sh", "curl", "grep"))
	if err != nil {
		panic(err)
	}
	fmt.Println(v.ValidateHealthcheck([]string{"CMD-SHELL", "curl -fsS http://127.0.0.1/health | grep -q ok || exit 1"}))
	fmt.Println(v.ValidateHealthcheck([]string{"CMD-SHELL", "wget -q -O- http://127.0.0.1/health"}))
	// Output:
	// <nil>
	// validate: command argv[1] program "wget": program-not-allowed: program is not on the allow-list
}

func ExampleParseImageRef() {
	ref, err := validate.ParseImageRef("nginx:1.25")
	if err != nil {
		panic(err)
	}
	fmt.Println(ref.String())
	fmt.Println(ref.Familiar(), ref.Domain(), ref.Path(), ref.Tag())

	_, err = validate.ParseImageRef("nginx")
	fmt.Println(err, errors.Is(err, validate.ErrInvalid))

	_, err = validate.ParseImageRef("nginx:1.25", validate.RequireDigest())
	fmt.Println(err)

	allow, err := validate.NewImageAllowList("ghcr.io/acme/*", "nginx")
	if err != nil {
		panic(err)
	}
	other, _ := validate.ParseImageRef("ghcr.io/acmecorp/api:1")
	fmt.Println(allow.Allows(ref), allow.Allows(other))
	// Output:
	// docker.io/library/nginx:1.25
	// nginx:1.25 docker.io library/nginx 1.25
	// validate: image "nginx": a tag or digest is required true
	// validate: image "nginx:1.25": a digest (@sha256:...) is required
	// true false
}

func ExampleEnvVar() {
	e, err := validate.ParseEnvVar("DB_PASSWORD=hunter2")
	if err != nil {
		panic(err)
	}
	fmt.Println(e)
	fmt.Printf("%v %+v %#v %q\n", e, e, e, e)
	fmt.Println(e.Pair() == "DB_PASSWORD=hunter2")
	// Output:
	// DB_PASSWORD
	// DB_PASSWORD DB_PASSWORD validate.EnvVar{Key: "DB_PASSWORD"} "DB_PASSWORD"
	// true
}

func ExampleParsePortSpec() {
	p, err := validate.ParsePortSpec("127.0.0.1:8080:80/tcp")
	if err != nil {
		panic(err)
	}
	fmt.Println(p.HostIP, p.HostPort, p.ContainerPort, p.Protocol, p.LoopbackOnly())
	// Output:
	// 127.0.0.1 8080 80 tcp true
}

func ExampleParseFilters() {
	f, err := validate.ParseFilters(validate.ContainerObjects, map[string][]string{
		"status": {"running", "exited"},
		"label":  {"com.example.team=web"},
	})
	if err != nil {
		panic(err)
	}
	for k, vs := range f.All() {
		fmt.Println(k, vs)
	}
	_, err = validate.ParseFilters(validate.ContainerObjects, map[string][]string{"name": {".*"}})
	fmt.Println(err)
	// Output:
	// label [com.example.team=web]
	// status [exited running]
	// validate: filters[name] ".*": value not allowed
}
