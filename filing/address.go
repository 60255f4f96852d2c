package filing

// Address is a mainland postal address split the way filing forms ask for
// it: the administrative levels are picked from lists, the rest is typed.
type Address struct {
	// Province is an ISO 3166-2:CN code without "CN-", e.g. "ZJ".
	Province string `json:"province"`
	// City is the prefecture-level city (地级市), e.g. "杭州市"; for the
	// municipalities the municipality itself, e.g. "北京市".
	City string `json:"city"`
	// District is the county-level division (区/县), e.g. "西湖区".
	District string `json:"district,omitempty"`
	// Detail is the street part down to the house number, e.g.
	// "文三路90号东部软件园1号楼". Bureaus want the house number (门牌号);
	// if there is none the application's remarks must say so.
	Detail string `json:"detail"`
}
