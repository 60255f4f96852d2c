package filing

// ContentType is a website's service content (网站内容 / 前置审批项). The
// regulated ones need a pre-approval; which ones do is rule data.
type ContentType string

// Content types. The first group is the regulated list of 33号令 Art. 11
// plus the items reviewers add; the second group needs no pre-approval.
const (
	// ContentNews is 新闻.
	ContentNews ContentType = "news"
	// ContentPublishing is 出版.
	ContentPublishing ContentType = "publishing"
	// ContentEducation is 教育.
	ContentEducation ContentType = "education"
	// ContentHealthcare is 医疗保健.
	ContentHealthcare ContentType = "healthcare"
	// ContentDrugsMedicalDevices is 药品和医疗器械.
	ContentDrugsMedicalDevices ContentType = "drugs_medical_devices"
	// ContentCulture is 文化.
	ContentCulture ContentType = "culture"
	// ContentRadioFilmTV is 广播电影电视节目.
	ContentRadioFilmTV ContentType = "radio_film_tv"
	// ContentFinance is 金融.
	ContentFinance ContentType = "finance"
	// ContentRideHailing is 网络预约车.
	ContentRideHailing ContentType = "ride_hailing"
	// ContentBulletinBoard is 电子公告 (BBS, forums, comment boards).
	ContentBulletinBoard ContentType = "bulletin_board"

	// ContentOrganizationPortal is 单位门户网站.
	ContentOrganizationPortal ContentType = "organization_portal"
	// ContentPersonalSpace is 博客/个人空间.
	ContentPersonalSpace ContentType = "personal_space"
	// ContentComprehensivePortal is 综合门户.
	ContentComprehensivePortal ContentType = "comprehensive_portal"
	// ContentSearchEngine is 搜索引擎.
	ContentSearchEngine ContentType = "search_engine"
	// ContentOnlineShopping is 网络购物.
	ContentOnlineShopping ContentType = "online_shopping"
	// ContentOther is 其他.
	ContentOther ContentType = "other"
)

var contentLabels = map[ContentType]string{
	ContentNews:                "新闻",
	ContentPublishing:          "出版",
	ContentEducation:           "教育",
	ContentHealthcare:          "医疗保健",
	ContentDrugsMedicalDevices: "药品和医疗器械",
	ContentCulture:             "文化",
	ContentRadioFilmTV:         "广播电影电视节目",
	ContentFinance:             "金融",
	ContentRideHailing:         "网络预约车",
	ContentBulletinBoard:       "电子公告",
	ContentOrganizationPortal:  "单位门户网站",
	ContentPersonalSpace:       "博客/个人空间",
	ContentComprehensivePortal: "综合门户",
	ContentSearchEngine:        "搜索引擎",
	ContentOnlineShopping:      "网络购物",
	ContentOther:               "其他",
}

// Valid reports whether c is one of the declared content types.
func (c ContentType) Valid() bool {
	_, ok := contentLabels[c]
	return ok
}

// Label returns the Chinese term, or "" if c is not valid.
func (c ContentType) Label() string { return contentLabels[c] }
