package rules

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// anyArg formats as "X" under every verb, so templates can be rendered
// without knowing their verbs.
type anyArg struct{}

func (anyArg) Format(f fmt.State, _ rune) { fmt.Fprint(f, "X") }

func TestEveryCodeIsUniqueAndHasBothMessages(t *testing.T) {
	seen := map[Code]bool{}
	for _, s := range catalogue {
		if seen[s.code] {
			t.Errorf("code %q listed twice", s.code)
		}
		seen[s.code] = true
		args := make([]any, s.args)
		for i := range args {
			args[i] = anyArg{}
		}
		m := message(s.code, args...)
		for lang, text := range map[string]string{"zh": m.ZH, "en": m.EN} {
			if strings.TrimSpace(text) == "" || strings.Contains(text, "%!") {
				t.Errorf("%s: %s message %q is empty or takes other arguments than %d", s.code, lang, text, s.args)
			}
		}
	}
	for _, name := range declaredCodes(t) {
		if !seen[name] {
			t.Errorf("code constant %q has no catalogue entry", name)
		}
	}
	if len(Codes()) != len(catalogue) {
		t.Errorf("Codes() returns %d codes, catalogue has %d", len(Codes()), len(catalogue))
	}
}

// declaredCodes returns the values of all Code constants in codes.go.
func declaredCodes(t *testing.T) []Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []Code
	ast.Inspect(f, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || vs.Type == nil || fmt.Sprint(vs.Type) != "Code" {
			return true
		}
		for _, v := range vs.Values {
			out = append(out, Code(strings.Trim(v.(*ast.BasicLit).Value, `"`)))
		}
		return true
	})
	if len(out) < 50 {
		t.Fatalf("found only %d code constants; is the parser looking at the right file?", len(out))
	}
	return out
}

func TestEveryRuleKindIsUsedByTheEmbeddedData(t *testing.T) {
	data, err := os.ReadFile("data/" + RuleSetFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range kinds {
		if !strings.Contains(string(data), `"kind": "`+k.name+`"`) {
			t.Errorf("kind %q has no entry in the embedded data", k.name)
		}
	}
}
