package docker

import (
	"context"
	"time"

	"github.com/safedocker/safedocker/internal/engine"
)

// Ping implements engine.System.
func (e *Engine) Ping(ctx context.Context) (engine.PingResult, error) {
	p, err := e.cli.Ping(ctx)
	if err != nil {
		return engine.PingResult{}, mapErr("ping", err)
	}
	return engine.PingResult{APIVersion: p.APIVersion, OSType: p.OSType, Experimental: p.Experimental}, nil
}

// Version implements engine.System.
func (e *Engine) Version(ctx context.Context) (engine.VersionInfo, error) {
	v, err := e.cli.ServerVersion(ctx)
	if err != nil {
		return engine.VersionInfo{}, mapErr("version", err)
	}
	bt, _ := time.Parse(time.RFC3339Nano, v.BuildTime)
	return engine.VersionInfo{
		Version: v.Version, APIVersion: v.APIVersion, MinAPIVersion: v.MinAPIVersion, GitCommit: v.GitCommit,
		GoVersion: v.GoVersion, OS: v.Os, Arch: v.Arch, KernelVersion: v.KernelVersion, BuildTime: bt,
	}, nil
}
