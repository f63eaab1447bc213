package validate

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

func TestWordValue(t *testing.T) {
	cases := []struct {
		src            string
		val            string
		static, single bool
	}{
		{`plain`, "plain", true, true},
		{`'single quoted'`, "single quoted", true, true},
		{`"double \"quoted\" \$x \\ \a"`, `double "quoted" $x \ \a`, true, true},
		{`n\senter`, "nsenter", true, true},
		{`a"b"'c'`, "abc", true, true},
		{`$'\x6e\163\u0065\U0000006eter\t\n\e\a\b\f\v\r\\\'\"\?'`, "nsenter\t\n\x1b\a\b\f\v\r\\'\"?", true, true},
		{`$'\cA'`, "", false, true},
		{`$'\xZZ'`, "", false, true},
		{`$"translated"`, "", false, true},
		{`$x`, "", false, false},
		{`"$x"`, "", false, true},
		{`"$@"`, "", false, false},
		{`"${a[@]}"`, "", false, false},
		{`"${!p*}"`, "", false, false},
		{`"$(cmd)"`, "", false, true},
		{`$(cmd)`, "", false, false},
		{`a*`, "", false, false},
		{`a?`, "", false, false},
		{`a[bc]`, "", false, false},
		{`[`, "[", true, true},
		{`a\*`, "a*", true, true},
		{`{a,b}`, "", false, false},
		{`x{1..3}`, "", false, false},
		{`{}`, "{}", true, true},
		{`{a}`, "{a}", true, true},
		{`{a\,b}`, "{a,b}", true, true},
		{`~/bin/x`, "", false, false},
		{`a~b`, "a~b", true, true},
		{`=cmd`, "", false, false},
		{`<(cmd)`, "", false, true},
	}
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	for _, tc := range cases {
		f, err := p.Parse(strings.NewReader("cmd "+tc.src), "")
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		call := f.Stmts[0].Cmd.(*syntax.CallExpr)
		val, static, single := wordValue(call.Args[1])
		if val != tc.val || static != tc.static || single != tc.single {
			t.Errorf("%s: got (%q, static=%v, single=%v), want (%q, %v, %v)",
				tc.src, val, static, single, tc.val, tc.static, tc.single)
		}
	}
}

func TestHasSubstitution(t *testing.T) {
	yes := []string{"$(x)", "a`b", "${ x;}", "${|x;}", "${\tx;}", "$$(x)", "a$b$(c)"}
	no := []string{"", "$", "$x", "${x}", "${x:-y}", "a$", "$((1))x"[:1], "price: 5$"}
	for _, s := range yes {
		if !hasSubstitution(s) {
			t.Errorf("hasSubstitution(%q) = false", s)
		}
	}
	for _, s := range no {
		if hasSubstitution(s) {
			t.Errorf("hasSubstitution(%q) = true", s)
		}
	}
}

func TestBaseName(t *testing.T) {
	cases := map[string]string{"nsenter": "nsenter", "/usr/bin/nsenter": "nsenter", "./x": "x",
		"a/b/": "b", "/": "/", "//": "/", "x//": "x", "": ""}
	for in, want := range cases {
		if got := baseName(in); got != want {
			t.Errorf("baseName(%q) = %q, want %q", in, got, want)
		}
	}
}
