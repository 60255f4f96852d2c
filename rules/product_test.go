package rules_test

import (
	"testing"

	"github.com/beianflow/beianflow/filing"
	"github.com/beianflow/beianflow/rules"
)

func TestProductVerification(t *testing.T) {
	instance := &filing.CloudInstance{InstanceID: "i-bp1a2b3c4d5e6f7g8h9i", Region: "cn-hangzhou"}
	tests := []struct {
		name    string
		product filing.ProductVerification
		want    []got
	}{
		{"service number", filing.ProductVerification{ServiceNumber: "A1B2C3D4E5F6"}, nil},
		{"instance in the filing account", filing.ProductVerification{CloudInstance: instance}, nil},
		{"neither", filing.ProductVerification{}, []got{{"product", rules.CodeProductMissing}}},
		{"blank service number", filing.ProductVerification{ServiceNumber: "  "}, []got{{"product", rules.CodeProductMissing}}},
		{"both", filing.ProductVerification{CloudInstance: instance, ServiceNumber: "A1B2C3D4E5F6"}, []got{{"product", rules.CodeProductAmbiguous}}},
		{"instance without region", filing.ProductVerification{CloudInstance: &filing.CloudInstance{InstanceID: "i-1"}}, []got{{"product.cloud_instance.region", rules.CodeRequired}}},
		{"service number too short", filing.ProductVerification{ServiceNumber: "A1B2C3"}, []got{{"product.service_number", rules.CodeServiceNumberFormat}}},
		{"service number with hyphens", filing.ProductVerification{ServiceNumber: "A1B2-C3D4-E5F6"}, []got{{"product.service_number", rules.CodeServiceNumberFormat}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := validApplication()
			app.Product = tt.product
			expectViolations(t, app, tt.want...)
		})
	}
}
