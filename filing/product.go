package filing

// ProductVerification (产品验证) ties the filing to a hosting resource at
// this provider. Exactly one of the two ways must be used.
type ProductVerification struct {
	// CloudInstance selects an instance in the filing account; the provider
	// then generates the service number itself.
	CloudInstance *CloudInstance `json:"cloud_instance,omitempty"`
	// ServiceNumber is a 备案服务号 (Alibaba) / 备案授权码 (Tencent, Huawei)
	// obtained by the account that owns the instance. Single use.
	ServiceNumber string `json:"service_number,omitempty"`
}

// CloudInstance identifies a mainland cloud server instance.
type CloudInstance struct {
	// InstanceID is the provider's instance identifier.
	InstanceID string `json:"instance_id"`
	// Region is the provider's region identifier, e.g. "cn-hangzhou".
	Region string `json:"region"`
}
