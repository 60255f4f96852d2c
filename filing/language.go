package filing

// Language is a website language (网站语言). Values are BCP 47-like tags
// written with underscores.
type Language string

// Languages offered by the filing forms.
const (
	// LangChineseSimplified is 中文简体.
	LangChineseSimplified Language = "zh_hans"
	// LangChineseTraditional is 中文繁体.
	LangChineseTraditional Language = "zh_hant"
	// LangEnglish is 英语.
	LangEnglish Language = "en"
	// LangJapanese is 日语.
	LangJapanese Language = "ja"
	// LangKorean is 朝鲜语/韩语.
	LangKorean Language = "ko"
	// LangRussian is 俄语.
	LangRussian Language = "ru"
	// LangFrench is 法语.
	LangFrench Language = "fr"
	// LangGerman is 德语.
	LangGerman Language = "de"
	// LangSpanish is 西班牙语.
	LangSpanish Language = "es"
	// LangArabic is 阿拉伯语.
	LangArabic Language = "ar"
	// LangPortuguese is 葡萄牙语.
	LangPortuguese Language = "pt"
	// LangMongolian is 蒙古语.
	LangMongolian Language = "mn"
	// LangTibetan is 藏语.
	LangTibetan Language = "bo"
	// LangUyghur is 维吾尔语.
	LangUyghur Language = "ug"
	// LangZhuang is 壮语.
	LangZhuang Language = "za"
	// LangOther is 其他语言.
	LangOther Language = "other"
)

var languageLabels = map[Language]string{
	LangChineseSimplified:  "中文简体",
	LangChineseTraditional: "中文繁体",
	LangEnglish:            "英语",
	LangJapanese:           "日语",
	LangKorean:             "朝鲜语/韩语",
	LangRussian:            "俄语",
	LangFrench:             "法语",
	LangGerman:             "德语",
	LangSpanish:            "西班牙语",
	LangArabic:             "阿拉伯语",
	LangPortuguese:         "葡萄牙语",
	LangMongolian:          "蒙古语",
	LangTibetan:            "藏语",
	LangUyghur:             "维吾尔语",
	LangZhuang:             "壮语",
	LangOther:              "其他语言",
}

// Valid reports whether l is one of the declared languages.
func (l Language) Valid() bool {
	_, ok := languageLabels[l]
	return ok
}

// Label returns the Chinese term, or "" if l is not valid.
func (l Language) Label() string { return languageLabels[l] }
