package safedocker_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/safedocker/safedocker/safedocker"
)

// A client that may pull from one registry, with the password read at pull
// time. The credential is a Secret: printing or logging it shows [REDACTED].
func ExampleClient_PullImage() {
	ep, err := safedocker.UnixSocketEndpoint(safedocker.DefaultSocketPath, safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		log.Fatal(err)
	}
	c, err := safedocker.New(ep,
		safedocker.WithCapabilities(safedocker.CapImagePull),
		safedocker.WithImagePolicy(safedocker.ImagePolicy{
			Registries:   []string{"registry.example.com"},
			Repositories: []string{"registry.example.com/team/*"},
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()

	provider := func(_ context.Context, registry string) (safedocker.Credential, error) {
		return safedocker.Credential{
			Username: "ci",
			Password: safedocker.NewSecret(os.Getenv("REGISTRY_PASSWORD")),
		}, nil
	}
	res, err := c.PullImage(context.Background(), "registry.example.com/team/app:v1", safedocker.PullOptions{
		Credentials: provider,
		Progress:    func(p safedocker.PullProgress) { fmt.Println(p.Status) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ID)
}

// Secrets never print.
func ExampleSecret() {
	c := safedocker.Credential{Username: "ci", Password: safedocker.NewSecret("hunter2")}
	fmt.Println(c)
	fmt.Printf("%v %q %x\n", c.Password, c.Password, c.Password)
	// Output:
	// Credential{Username:"ci" Password:[REDACTED] IdentityToken:[unset] RegistryToken:[unset]}
	// [REDACTED] "[REDACTED]" [REDACTED]
}

// Network connect refuses the host network by name before anything reaches the
// daemon.
func ExampleClient_ConnectNetwork() {
	ep, err := safedocker.UnixSocketEndpoint(safedocker.DefaultSocketPath, safedocker.AcknowledgeRootEquivalentSocket)
	if err != nil {
		log.Fatal(err)
	}
	c, err := safedocker.New(ep, safedocker.WithCapabilities(safedocker.CapNetworkConnect))
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	err = c.ConnectNetwork(context.Background(), "host", "web", safedocker.NetworkConnectOptions{})
	fmt.Println(err)
	// Output:
	// safedocker: network.connect: denied by policy: hostNetwork: network "host": the host and none networks are never joined or left through this library
}
