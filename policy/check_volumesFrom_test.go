package policy

import "testing"

func TestVolumesFrom(t *testing.T) {
	mtExpect(t, mtRun(volumesFromV1, &Container{}, nil))
	mtExpect(t, mtRun(volumesFromV1, &Container{VolumesFrom: []string{}}, nil))
	got := mtRun(volumesFromV1, &Container{VolumesFrom: []string{"donor", "other:ro"}}, nil)
	mtExpect(t, got, "HostConfig.VolumesFrom[0]|copies every mount", "HostConfig.VolumesFrom[1]|copies every mount")
	if got[1].Value != "other:ro" {
		t.Errorf("value = %q", got[1].Value)
	}
}
