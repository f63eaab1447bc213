package policy

import (
	"errors"
	"testing"
)

type mapResolver map[string]string

func (m mapResolver) ResolveHostPath(p string) (string, error) {
	if r, ok := m[p]; ok {
		if r == "" {
			return "", errors.New("no such file")
		}
		return r, nil
	}
	return p, nil
}

func TestDevicesV1(t *testing.T) {
	exc := Exceptions{Devices: []string{"/dev/fuse", "/dev/serial/by-id/usb-1"}, DeviceRequests: []string{"nvidia"}}
	s := &Settings{Exceptions: exc}
	withPaths := &Settings{Exceptions: exc, Paths: mapResolver{"/dev/serial/by-id/usb-1": "/dev/sda", "/dev/fuse": "/dev/fuse"}}
	dev := func(p string) Device { return Device{PathOnHost: p, PathInContainer: p, CgroupPermissions: "rwm"} }
	tests := []struct {
		name string
		c    Container
		s    *Settings
		want []string
	}{
		{"none", Container{}, nil, nil},
		{"not excepted", Container{Devices: []Device{dev("/dev/sda")}}, nil, []string{"HostConfig.Devices[0]=/dev/sda"}},
		{"excepted", Container{Devices: []Device{dev("/dev/fuse")}}, s, nil},
		{"dotdot", Container{Devices: []Device{dev("/dev/serial/by-id/../../sda")}}, s, []string{"HostConfig.Devices[0]=/dev/serial/by-id/../../sda"}},
		{"trailing slash", Container{Devices: []Device{dev("/dev/fuse/")}}, s, []string{"HostConfig.Devices[0]=/dev/fuse/"}},
		{"double slash", Container{Devices: []Device{dev("//dev/fuse")}}, s, []string{"HostConfig.Devices[0]=//dev/fuse"}},
		{"directory", Container{Devices: []Device{dev("/dev")}}, s, []string{"HostConfig.Devices[0]=/dev"}},
		{"relative", Container{Devices: []Device{dev("dev/fuse")}}, s, []string{"HostConfig.Devices[0]=dev/fuse"}},
		{"symlink to a disk", Container{Devices: []Device{dev("/dev/serial/by-id/usb-1")}}, withPaths, []string{"HostConfig.Devices[0]=/dev/serial/by-id/usb-1"}},
		{"resolves to itself", Container{Devices: []Device{dev("/dev/fuse")}}, withPaths, nil},
		{"container path outside /dev", Container{Devices: []Device{{PathOnHost: "/dev/fuse", PathInContainer: "/proc/sys/kernel/core_pattern"}}}, s, []string{"HostConfig.Devices[0]=/proc/sys/kernel/core_pattern"}},
		{"container path with dotdot", Container{Devices: []Device{{PathOnHost: "/dev/fuse", PathInContainer: "/dev/../etc/x"}}}, s, []string{"HostConfig.Devices[0]=/dev/../etc/x"}},
		{"outside /dev", Container{Devices: []Device{dev("/tmp/sda")}}, s, []string{"HostConfig.Devices[0]=/tmp/sda"}},
		{"dev fd", Container{Devices: []Device{dev("/dev/fd/3")}}, s, []string{"HostConfig.Devices[0]=/dev/fd/3"}},
		{"dev core", Container{Devices: []Device{dev("/dev/core")}}, s, []string{"HostConfig.Devices[0]=/dev/core"}},
		{"bad permissions", Container{Devices: []Device{{PathOnHost: "/dev/fuse", CgroupPermissions: "rwx"}}}, s, []string{"HostConfig.Devices[0]=rwx"}},
		{"field from decoder", Container{Devices: []Device{{Field: "HostConfig.Devices[3]", PathOnHost: "/dev/mem"}}}, s, []string{"HostConfig.Devices[3]=/dev/mem"}},
		{"cgroup rule", Container{DeviceCgroupRules: []string{"b *:* rwm"}}, s, []string{"HostConfig.DeviceCgroupRules[0]=b *:* rwm"}},
		{"gpus without exception", Container{DeviceRequests: []DeviceRequest{{Count: -1, Capabilities: [][]string{{"gpu"}}}}}, s, []string{"HostConfig.DeviceRequests[0]=(chosen by capability)"}},
		{"nvidia excepted", Container{DeviceRequests: []DeviceRequest{{Driver: "nvidia", Count: 1}}}, s, nil},
		{"cdi not excepted", Container{DeviceRequests: []DeviceRequest{{Driver: "cdi", DeviceIDs: []string{"vendor.com/gpu=0"}}}}, s, []string{"HostConfig.DeviceRequests[0]=cdi"}},
		{"any driver", Container{DeviceRequests: []DeviceRequest{{Count: -1}}}, &Settings{Exceptions: Exceptions{DeviceRequests: []string{"*"}}}, nil},
	}
	for _, tt := range tests {
		ckWant(t, tt.name, ckRun(devicesV1, &tt.c, tt.s), tt.want...)
	}
}
