package filing

// Website is one website (网站 / 互联网信息服务) in the order. Since
// 2019-04-22 a website carries exactly one domain.
type Website struct {
	// Name is the website name (网站名称).
	Name string `json:"name"`
	// Domain is the verified domain (已验证域名), Unicode or punycode.
	Domain string `json:"domain"`
	// HomepageURL is the homepage (网站首页URL) on that domain.
	HomepageURL string `json:"homepage_url"`
	// ContentTypes are the service contents (网站内容); some require a
	// pre-approval.
	ContentTypes []ContentType `json:"content_types"`
	// ServiceTypes are the provider-defined service type labels (服务类型);
	// no national catalogue exists, so they are kept as given.
	ServiceTypes []string `json:"service_types,omitempty"`
	// Languages are the website languages (网站语言).
	Languages []Language `json:"languages"`
	// PreApprovals are the pre-approval documents (前置审批) held.
	PreApprovals []PreApproval `json:"pre_approvals,omitempty"`
	// ResponsibleSameAsLeader says the subject leader is also this website's
	// responsible person; Responsible is then ignored. When false,
	// Responsible names a new person (填写新负责人信息).
	ResponsibleSameAsLeader bool `json:"responsible_same_as_leader"`
	// Responsible is the website's responsible person (网站负责人).
	Responsible Person `json:"responsible"`
}

// PreApproval is a pre-approval document (前置审批文件) from the authority in
// charge of a regulated content type.
type PreApproval struct {
	// Type is the regulated content type the document approves.
	Type ContentType `json:"type"`
	// DocumentNumber is the approval document number (审批文号).
	DocumentNumber string `json:"document_number"`
}
