package httpx

import (
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/beianflow/beianflow/filing"
)

func TestEveryErrorCodeHasAChineseMessage(t *testing.T) {
	// The codes are the contract's: every constant of package filing.
	files, err := filepath.Glob(filepath.Join("..", "..", "filing", "*.go"))
	require.NoError(t, err)
	fset := token.NewFileSet()
	var codes []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				if strings.HasPrefix(name.Name, "Code") && i < len(vs.Values) {
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, _ := strconv.Unquote(lit.Value)
						codes = append(codes, v)
					}
				}
			}
			return true
		})
	}
	require.Greater(t, len(codes), 20, "found the code constants")
	for _, c := range codes {
		assert.NotEmpty(t, zhMessages[c], "code %s has no Chinese message", c)
	}
}

func TestAcceptLanguagePicksTheMessageNeverTheCode(t *testing.T) {
	cases := []struct{ header, want string }{
		{"", langEN},
		{"zh-CN", langZH},
		{"zh-CN,zh;q=0.9,en;q=0.8", langZH},
		{"en-US,en;q=0.9,zh;q=0.8", langEN},
		{"fr-FR, zh;q=0.5", langZH},
		{"fr-FR", langEN},
		{"zh;q=garbage, en;q=0.1", langEN},
	}
	for _, tc := range cases {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Accept-Language", tc.header)
		c := echo.New().NewContext(req, httptest.NewRecorder())
		assert.Equal(t, tc.want, language(c), "%q", tc.header)
	}
	e := BadRequest(filing.CodeRequired, "subject.province", "subject.province is required")
	zh := localize(e, langZH)
	assert.Equal(t, filing.CodeRequired, zh.Code)
	assert.Equal(t, "subject.province", zh.Field)
	assert.Equal(t, "缺少必填字段 subject.province", zh.Message)
	assert.Equal(t, "subject.province is required", e.Message, "the original is untouched")

	rule := RuleError("domain.tld_not_approved", "domain", "the TLD is not approved", "该顶级域未获批准")
	assert.Equal(t, "该顶级域未获批准", localize(rule, langZH).Message)
	assert.Equal(t, "the TLD is not approved", localize(rule, langEN).Message)
}
