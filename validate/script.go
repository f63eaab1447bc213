package validate

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"
)

// langSet is a set of shell dialects, as bits indexing dialects.
type langSet uint8

// dialects are the parser variants, indexed by langSet bit.
var dialects = [5]syntax.LangVariant{syntax.LangPOSIX, syntax.LangBash, syntax.LangMirBSDKorn, syntax.LangZsh, syntax.LangBats}

const (
	langPOSIX langSet = 1 << iota
	langBash
	langKorn
	langZsh

	// langSh is /bin/sh, which may be dash, busybox ash or bash: a script must
	// parse both ways and both readings are checked.
	langSh = langPOSIX | langBash
)

// script parses a shell script in every dialect of langs and checks every
// command it would run. idx is the argv index reported for faults.
func (c *checker) script(text string, langs langSet, idx int) error {
	at := word{idx: idx}
	if len(text) > c.v.maxScript {
		return c.fail(RuleScriptTooLarge, at, "", "script exceeds %d bytes", c.v.maxScript)
	}
	if rule, off := scanText(text, true); rule != "" {
		return c.fail(rule, at, "", "script byte offset %d", off)
	}
	if err := c.nest(at, ""); err != nil {
		return err
	}
	defer func() { c.depth-- }()
	sc := scriptCtx{langs: langs}
	parse := langs
	if langs == langSh {
		// Read as bash first; the POSIX reading differs from it only where
		// bash sees an arithmetic command: ((x)) is two subshells in dash.
		parse = langBash
	}
	for i := range dialects {
		if parse&(1<<i) == 0 {
			continue
		}
		arith, err := c.parseAndWalk(text, i, &sc, idx)
		if err != nil {
			return err
		}
		if arith && langs == langSh && parse == langBash {
			if _, err := c.parseAndWalk(text, 0, &sc, idx); err != nil {
				return err
			}
		}
	}
	return nil
}

// parseAndWalk parses text in dialects[d] and checks it. arith reports an
// arithmetic command or C-style loop, where dialects disagree.
func (c *checker) parseAndWalk(text string, d int, sc *scriptCtx, idx int) (arith bool, err error) {
	p := c.v.parsers[d].Get().(*syntax.Parser)
	f, err := p.Parse(strings.NewReader(text), "")
	c.v.parsers[d].Put(p)
	if err != nil {
		return false, c.fail(RuleScriptParse, word{idx: idx}, "", "%s: %s", dialects[d], parseMessage(err))
	}
	c.arith = false
	err = c.walk(f, sc, idx)
	return c.arith, err
}

// parseMessage shortens a parser error and blanks every quoted token in it
// that is not a shell keyword or operator, so no script text (which may hold a
// secret) reaches the error.
func parseMessage(err error) string {
	msg := err.Error()
	var b strings.Builder
	for {
		i := strings.IndexAny(msg, "`\"")
		if i < 0 {
			b.WriteString(msg)
			break
		}
		j := strings.IndexByte(msg[i+1:], msg[i])
		if j < 0 {
			b.WriteString(msg)
			break
		}
		tok := msg[i+1 : i+1+j]
		b.WriteString(msg[:i+1])
		if isShellToken(tok) {
			b.WriteString(tok)
		} else {
			b.WriteString("…")
		}
		b.WriteByte(msg[i])
		msg = msg[i+2+j:]
	}
	return truncate(b.String(), 96)
}

// isShellToken reports keywords and operators, which parse errors quote.
func isShellToken(tok string) bool {
	switch tok {
	case "if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until",
		"case", "esac", "function", "select", "coproc", "time", "{", "}", "[[", "]]", "!",
		"if <cond>", "while <cond>", "until <cond>", "for foo", "select foo", "case x", "foo()":
		return true
	}
	for i := 0; i < len(tok); i++ {
		if isAlnum(tok[i]) || tok[i] >= 0x80 {
			return false
		}
	}
	return len(tok) <= 3
}

// walk checks every command in f.
func (c *checker) walk(f *syntax.File, sc *scriptCtx, idx int) error {
	c.err = nil
	syntax.Walk(f, func(n syntax.Node) bool {
		if c.err != nil {
			return false
		}
		switch n := n.(type) {
		case *syntax.CallExpr:
			arith := c.arith
			c.err = c.callExpr(n, sc, idx)
			c.arith = arith
		case *syntax.ArithmCmd, *syntax.CStyleLoop:
			c.arith = true
		case *syntax.Assign:
			if n.Name != nil {
				val := ""
				if n.Value != nil {
					val, _, _ = wordValue(n.Value)
				}
				if envLoadsCode(n.Name.Value, val) {
					c.err = c.fail(RuleEnvironmentCode, word{idx: idx}, "",
						"assignment to %s loads code", truncate(n.Name.Value, 64))
				}
			}
		case *syntax.Word:
			for _, s := range c.skip {
				if s == n {
					return false
				}
			}
		case *syntax.Lit:
			if sc.langs != langPOSIX && hasSubstitution(n.Value) {
				c.err = c.embedded(idx)
			}
		case *syntax.SglQuoted:
			if sc.langs == langPOSIX {
				break
			}
			v := n.Value
			if n.Dollar {
				var ok bool
				if v, ok = decodeANSIC(v); !ok {
					c.err = c.embedded(idx)
				}
			}
			if c.err == nil && hasSubstitution(v) {
				c.err = c.embedded(idx)
			}
		}
		return c.err == nil
	})
	err := c.err
	c.err = nil
	return err
}

func (c *checker) embedded(idx int) error {
	return c.fail(RuleEmbeddedSubstitution, word{idx: idx}, "",
		"a literal holds command-substitution syntax that the shell may evaluate later")
}

// hasSubstitution reports command-substitution syntax in literal text: $(,
// a backquote, or the bash/mksh ${ cmd;} and ${|cmd;} forms.
func hasSubstitution(s string) bool {
	if strings.IndexByte(s, '`') >= 0 {
		return true
	}
	for i := strings.IndexByte(s, '$'); i >= 0 && i+1 < len(s); {
		switch s[i+1] {
		case '(':
			return true
		case '{':
			if i+2 < len(s) {
				switch s[i+2] {
				case ' ', '\t', '\n', '|':
					return true
				}
			}
		}
		j := strings.IndexByte(s[i+1:], '$')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// callExpr checks one simple command of a script.
func (c *checker) callExpr(n *syntax.CallExpr, sc *scriptCtx, idx int) error {
	if len(n.Args) == 0 {
		return nil
	}
	// Words come from a stack-like arena: nested scripts take space above top,
	// so slices held by callers stay intact.
	top := len(c.arena)
	for _, a := range n.Args {
		s, static, single := wordValue(a)
		c.arena = append(c.arena, word{s: s, static: static, single: single, idx: idx, node: a})
	}
	ws := c.arena[top:len(c.arena):len(c.arena)]
	err := c.command(ws, false, sc)
	c.arena = c.arena[:top]
	return err
}

// wordValue evaluates a shell word statically. static is false when the value
// depends on run time (parameters, substitutions, globs, brace or tilde
// expansion, locale translation); single is false when the word may expand to
// zero or several fields.
func wordValue(w *syntax.Word) (s string, static, single bool) {
	static, single = true, true
	if len(w.Parts) == 1 {
		if l, ok := w.Parts[0].(*syntax.Lit); ok && strings.IndexByte(l.Value, '\\') < 0 {
			if unquotedSpecial(l.Value, true) {
				return "", false, false
			}
			return l.Value, true, true
		}
		if q, ok := w.Parts[0].(*syntax.SglQuoted); ok && !q.Dollar {
			return q.Value, true, true
		}
	}
	var b strings.Builder
	for i, p := range w.Parts {
		switch p := p.(type) {
		case *syntax.Lit:
			if unquotedSpecial(p.Value, i == 0) {
				static, single = false, false
			}
			unescapeUnquoted(&b, p.Value)
		case *syntax.SglQuoted:
			if p.Dollar {
				v, ok := decodeANSIC(p.Value)
				if !ok {
					static = false
				}
				b.WriteString(v)
			} else {
				b.WriteString(p.Value)
			}
		case *syntax.DblQuoted:
			if p.Dollar {
				static = false // $"..." is translated at run time
			}
			for _, q := range p.Parts {
				switch q := q.(type) {
				case *syntax.Lit:
					unescapeDouble(&b, q.Value)
				case *syntax.ParamExp:
					static = false
					if q.Param != nil && (q.Param.Value == "@" || q.Param.Value == "*") || q.Index != nil || q.Names != 0 {
						single = false
					}
				default:
					static = false
				}
			}
		case *syntax.ProcSubst:
			static = false
		default: // ParamExp, CmdSubst, ArithmExp, ExtGlob, BraceExp unquoted
			static, single = false, false
		}
	}
	if !static {
		return "", false, single
	}
	return b.String(), true, single
}

// unquotedSpecial reports unquoted text that the shell expands: glob
// characters, brace expansion, and (at the start of a word) tilde expansion
// and zsh's =command expansion. A lone "[" or "[[" is the test command.
func unquotedSpecial(v string, first bool) bool {
	if first && v != "" && (v[0] == '~' || v[0] == '=') {
		return true
	}
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '*', '?':
			return true
		case '[':
			if strings.IndexByte(v[i+1:], ']') >= 0 {
				return true
			}
		case '{':
			if braceExpands(v[i+1:]) {
				return true
			}
		}
	}
	return false
}

// braceExpands reports whether the text after an unquoted '{' holds an
// unquoted ',' or ".." before a closing '}', which bash, ksh and zsh expand.
func braceExpands(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			i++
		case '}':
			return false
		case ',':
			return strings.IndexByte(v[i:], '}') >= 0
		case '.':
			if i+1 < len(v) && v[i+1] == '.' {
				return strings.IndexByte(v[i:], '}') >= 0
			}
		}
	}
	return false
}

// unescapeUnquoted removes the backslashes of unquoted text.
func unescapeUnquoted(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
}

// unescapeDouble removes the backslashes that are special inside double
// quotes: before $, `, ", \ and newline.
func unescapeDouble(b *strings.Builder, v string) {
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			switch v[i+1] {
			case '$', '`', '"', '\\':
				i++
			case '\n':
				i++
				continue
			}
		}
		b.WriteByte(v[i])
	}
}

// decodeANSIC decodes the body of a bash $'...' string. ok is false for
// escapes it does not model.
func decodeANSIC(v string) (string, bool) {
	if strings.IndexByte(v, '\\') < 0 {
		return v, true
	}
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		ch := v[i]
		if ch != '\\' || i+1 >= len(v) {
			b.WriteByte(ch)
			continue
		}
		i++
		switch e := v[i]; e {
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'e', 'E':
			b.WriteByte(27)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case '\\', '\'', '"', '?':
			b.WriteByte(e)
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(v) && j < i+3 && v[j] >= '0' && v[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(v[i:j], 8, 16)
			b.WriteByte(byte(n))
			i = j - 1
		case 'x', 'u', 'U':
			maxDigits := 2
			switch e {
			case 'u':
				maxDigits = 4
			case 'U':
				maxDigits = 8
			}
			j := i + 1
			for j < len(v) && j < i+1+maxDigits && isHex(v[j]) {
				j++
			}
			if j == i+1 {
				return "", false
			}
			n, _ := strconv.ParseUint(v[i+1:j], 16, 32)
			if e == 'x' {
				b.WriteByte(byte(n))
			} else {
				if n > utf8.MaxRune {
					return "", false
				}
				b.WriteRune(rune(n))
			}
			i = j - 1
		default:
			return "", false // \cX and unknown escapes
		}
	}
	return b.String(), true
}

func isHex(b byte) bool {
	return b >= '0' && b <= '9' || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
}
