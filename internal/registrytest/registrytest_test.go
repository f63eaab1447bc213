package registrytest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func get(t *testing.T, method, u string, hdr map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func TestBasicFlowServesConsistentImage(t *testing.T) {
	r := New(t, Options{Mode: AuthBasic, Username: "u", Password: "p"})
	img, err := r.AddImage("team/app", "v1", nil, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(img.Ref, "127.0.0.1:") {
		t.Fatalf("ref %q not on loopback", img.Ref)
	}
	resp, _ := get(t, "GET", r.URL()+"/v2/", nil)
	if resp.StatusCode != 401 || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Basic") {
		t.Fatalf("no basic challenge: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	bad := map[string]string{"Authorization": "Basic " + BasicHeaderValue("u", "wrong")}
	if resp, _ := get(t, "GET", r.URL()+"/v2/", bad); resp.StatusCode != 401 {
		t.Fatalf("wrong password accepted: %d", resp.StatusCode)
	}
	good := map[string]string{"Authorization": "Basic " + BasicHeaderValue("u", "p")}
	resp, m := get(t, "GET", r.URL()+"/v2/team/app/manifests/v1", good)
	if resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != img.Digest || sum(m) != img.Digest {
		t.Fatalf("manifest: %d %q", resp.StatusCode, resp.Header.Get("Docker-Content-Digest"))
	}
	var man struct {
		Config struct{ Digest string }
		Layers []struct{ Digest string }
	}
	if err := json.Unmarshal(m, &man); err != nil {
		t.Fatal(err)
	}
	if man.Config.Digest != img.ConfigDigest {
		t.Fatalf("config digest %s != %s", man.Config.Digest, img.ConfigDigest)
	}
	for _, d := range []string{man.Config.Digest, man.Layers[0].Digest} {
		resp, b := get(t, "GET", r.URL()+"/v2/team/app/blobs/"+d, good)
		if resp.StatusCode != 200 || sum(b) != d {
			t.Fatalf("blob %s: %d, digest %s", d, resp.StatusCode, sum(b))
		}
	}
	if resp, _ := get(t, "HEAD", r.URL()+"/v2/team/app/manifests/"+img.Digest, good); resp.StatusCode != 200 {
		t.Fatalf("manifest by digest: %d", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", r.URL()+"/v2/team/app/manifests/nope", good); resp.StatusCode != 404 {
		t.Fatalf("unknown tag: %d", resp.StatusCode)
	}
	rec := r.Received()
	if len(rec) < 2 || rec[0].Valid || rec[0].Secret != "wrong" || !rec[1].Valid || rec[1].Username != "u" {
		t.Fatalf("received = %+v", rec)
	}
}

func TestBearerFlow(t *testing.T) {
	r := New(t, Options{Mode: AuthBearer, Username: "u", Password: "p", IdentityToken: "idtok"})
	if _, err := r.AddImage("app", "latest", map[string]string{"a/b.txt": "x"}, nil); err != nil {
		t.Fatal(err)
	}
	resp, _ := get(t, "GET", r.URL()+"/v2/", nil)
	ch := resp.Header.Get("WWW-Authenticate")
	if resp.StatusCode != 401 || !strings.Contains(ch, `realm="`+r.URL()+`/token"`) {
		t.Fatalf("challenge %d %q", resp.StatusCode, ch)
	}
	resp, body := get(t, "GET", r.URL()+"/token?service=registrytest", map[string]string{"Authorization": "Basic " + BasicHeaderValue("u", "p")})
	var tok struct{ Token string }
	if resp.StatusCode != 200 || json.Unmarshal(body, &tok) != nil || tok.Token == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, "GET", r.URL()+"/v2/app/manifests/latest", map[string]string{"Authorization": "Bearer " + tok.Token}); resp.StatusCode != 200 {
		t.Fatalf("with token: %d", resp.StatusCode)
	}
	if resp, _ := get(t, "GET", r.URL()+"/v2/app/manifests/latest", map[string]string{"Authorization": "Bearer forged"}); resp.StatusCode != 401 {
		t.Fatalf("forged token accepted: %d", resp.StatusCode)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"idtok"}, "service": {"registrytest"}}
	pr, err := http.PostForm(r.URL()+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	pr.Body.Close()
	if pr.StatusCode != 200 {
		t.Fatalf("refresh token grant: %d", pr.StatusCode)
	}
	rec := r.Received()
	if len(rec) != 2 || rec[1].Kind != "refresh_token" || rec[1].Secret != "idtok" || !rec[1].Valid {
		t.Fatalf("received %+v", rec)
	}
}

func TestEchoCredentials(t *testing.T) {
	r := New(t, Options{Mode: AuthBasic, Username: "u", Password: "p", EchoCredentials: true})
	_, body := get(t, "GET", r.URL()+"/v2/", map[string]string{"Authorization": "Basic " + BasicHeaderValue("u", "leaked-pw")})
	if !strings.Contains(string(body), "leaked-pw") {
		t.Fatalf("body %s does not echo the password", body)
	}
}
