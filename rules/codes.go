package rules

// Violation codes. They are part of the API contract: never rename one,
// only add new ones. Each has a bilingual message in catalogue below.
const (
	// CodeRequired: a required value is missing.
	CodeRequired Code = "field.required"
	// CodeInvalidValue: a value is not one of its enum's members.
	CodeInvalidValue Code = "field.invalid_value"
	// CodeUnknownProvince: a province code is not one of rules.Provinces.
	CodeUnknownProvince Code = "province.unknown"

	// CodeCertificateTypeNotAllowed: the subject's certificate type does not
	// fit its nature (e.g. a business licence for a personal subject).
	CodeCertificateTypeNotAllowed Code = "certificate.type_not_allowed"
	// CodePersonIDTypeNotAllowed: a person's ID type is not a personal
	// identity document accepted by the rule set.
	CodePersonIDTypeNotAllowed Code = "person.id_type_not_allowed"
	// CodeIDLength: an 18-character ID number has the wrong length.
	CodeIDLength Code = "id.length"
	// CodeIDCharset: an ID number contains characters other than 17 digits
	// and a final digit or X.
	CodeIDCharset Code = "id.charset"
	// CodeIDRegion: the six-digit region prefix does not fit the document.
	CodeIDRegion Code = "id.region_code"
	// CodeIDBirthDate: the embedded birth date is not a calendar date.
	CodeIDBirthDate Code = "id.birth_date_invalid"
	// CodeIDBirthDateFuture: the embedded birth date is after the check date.
	CodeIDBirthDateFuture Code = "id.birth_date_future"
	// CodeIDCheckDigit: the GB 11643 (ISO 7064 MOD 11-2) check digit is wrong.
	CodeIDCheckDigit Code = "id.check_digit"
	// CodeIDTooYoung: the person is below the province's minimum age.
	CodeIDTooYoung Code = "id.too_young"
	// CodeCreditCodeLength: a unified social credit code is not 18 long.
	CodeCreditCodeLength Code = "credit_code.length"
	// CodeCreditCodeCharset: a credit code uses characters outside GB 32100.
	CodeCreditCodeCharset Code = "credit_code.charset"
	// CodeCreditCodeRegion: characters 3–8 of a credit code are not digits.
	CodeCreditCodeRegion Code = "credit_code.region_code"
	// CodeCreditCodeCheck: the GB 32100 MOD 31 check character is wrong.
	CodeCreditCodeCheck Code = "credit_code.check_character"
	// CodeCreditCodeNature: the registration authority and category prefix
	// of a credit code does not fit the subject nature.
	CodeCreditCodeNature Code = "credit_code.nature_mismatch"
	// CodeOrgCodeFormat: an organisation code is not 8 characters plus check.
	CodeOrgCodeFormat Code = "organization_code.format"
	// CodeOrgCodeCheck: the GB 11714 check character is wrong.
	CodeOrgCodeCheck Code = "organization_code.check_character"
	// CodeHKMacauPermitFormat: not a valid 港澳居民来往内地通行证 number.
	CodeHKMacauPermitFormat Code = "permit.hk_macau_format"
	// CodeTaiwanPermitFormat: not a valid 台湾居民来往大陆通行证 number.
	CodeTaiwanPermitFormat Code = "permit.taiwan_format"
	// CodePassportFormat: not a plausible passport number.
	CodePassportFormat Code = "passport.format"
	// CodeForeignPermanentIDFormat: not a 外国人永久居留身份证 number.
	CodeForeignPermanentIDFormat Code = "foreign_permanent_id.format"
	// CodePersonalLeaderMismatch: a personal subject's leader is not the
	// subject (ID type or number differ).
	CodePersonalLeaderMismatch Code = "subject.personal_leader_mismatch"
	// CodeNonLocalID: the province accepts personal filings only with a
	// resident ID issued in that province.
	CodeNonLocalID Code = "subject.non_local_id"
	// CodeCrossProvince: an organisation files in a province other than the
	// one of its certificate domicile.
	CodeCrossProvince Code = "subject.cross_province"

	// CodeMobileFormat: not a mainland mobile number.
	CodeMobileFormat Code = "mobile.format"
	// CodeEmailFormat: not a syntactically valid e-mail address.
	CodeEmailFormat Code = "email.format"
	// CodeEmergencySameAsResponsible: the emergency phone equals a website
	// responsible person's mobile.
	CodeEmergencySameAsResponsible Code = "emergency_phone.same_as_responsible"
	// CodeSharedMobile: leader and a different website responsible person
	// give the same mobile number.
	CodeSharedMobile Code = "contact.shared_mobile"
	// CodeSharedEmail: leader and a different website responsible person
	// give the same e-mail address.
	CodeSharedEmail Code = "contact.shared_email"
	// CodeResponsibleSameAsLeader: the province wants a website responsible
	// person other than the subject leader.
	CodeResponsibleSameAsLeader Code = "website_responsible.same_as_leader"
	// CodeLeaderNotLegalRep: the province wants the organisation's leader to
	// be its legal representative.
	CodeLeaderNotLegalRep Code = "leader.not_legal_representative"
	// CodeResponsibleNotAuthorizedLeader: the leader is an authorised
	// person, not the legal representative, and the province then wants
	// them as every website's responsible person too.
	CodeResponsibleNotAuthorizedLeader Code = "website_responsible.not_the_authorized_leader"

	// CodeAddressProvinceMismatch: 证件住所 and 通讯地址 lie in different
	// provinces.
	CodeAddressProvinceMismatch Code = "address.province_mismatch"
	// CodeAddressCityMismatch: the province wants both addresses in one city.
	CodeAddressCityMismatch Code = "address.city_mismatch"
	// CodeAddressNoHouseNumber: the mailing address has no house number and
	// the remarks lack the required statement.
	CodeAddressNoHouseNumber Code = "address.no_house_number"

	// CodeDomainSyntax: not a domain name.
	CodeDomainSyntax Code = "domain.syntax"
	// CodeDomainMultiple: more than one domain given for one website.
	CodeDomainMultiple Code = "domain.multiple"
	// CodeDomainPublicSuffix: the name is a public suffix such as "com.cn".
	CodeDomainPublicSuffix Code = "domain.is_public_suffix"
	// CodeDomainNotRegistrable: a subdomain was given; file the registrable
	// domain instead.
	CodeDomainNotRegistrable Code = "domain.not_registrable"
	// CodeDomainTLDNotApproved: the TLD is not approved by MIIT.
	CodeDomainTLDNotApproved Code = "domain.tld_not_approved"
	// CodeDomainTLDNotAllowedInProvince: the province's TLD whitelist
	// excludes the TLD.
	CodeDomainTLDNotAllowedInProvince Code = "domain.tld_not_allowed_in_province"
	// CodeDomainTLDNotAllowedForNature: the subject nature is limited to
	// certain TLDs (e.g. 事业单位 to .cn / .公益).
	CodeDomainTLDNotAllowedForNature Code = "domain.tld_not_allowed_for_nature"
	// CodeDomainDuplicate: the same domain appears in two websites of the
	// order.
	CodeDomainDuplicate Code = "domain.duplicate"
	// CodeHomepageInvalid: the homepage is not an http(s) URL.
	CodeHomepageInvalid Code = "homepage_url.invalid"
	// CodeHomepageHostMismatch: the homepage is not on the filed domain.
	CodeHomepageHostMismatch Code = "homepage_url.host_mismatch"

	// CodeDomainNotRegistered: the registry has no registration of the
	// domain.
	CodeDomainNotRegistered Code = "domain.not_registered"
	// CodeDomainOnHold: the registry or registrar suspended the domain.
	CodeDomainOnHold Code = "domain.on_hold"
	// CodeDomainValidityTooShort: the registration expires before the
	// province's minimum validity (domain_min_validity_days).
	CodeDomainValidityTooShort Code = "domain.validity_too_short"
	// CodeDomainRealNamePending: the holder's real-name verification at the
	// registrar is not complete.
	CodeDomainRealNamePending Code = "domain.realname_pending"
	// CodeDomainRegistrantMismatch: the published holder is neither the
	// subject nor its leader.
	CodeDomainRegistrantMismatch Code = "domain.registrant_mismatch"
	// CodeDomainRegistrarNotApproved: the domain's registrar is not on
	// MIIT's list of approved registrars (a foreign registrar).
	CodeDomainRegistrarNotApproved Code = "domain.registrar_not_approved"

	// CodeNameTooShort: fewer Chinese characters than the minimum.
	CodeNameTooShort Code = "website_name.too_short"
	// CodeNameOnlyLatinOrDigits: the name has only Latin letters and digits.
	CodeNameOnlyLatinOrDigits Code = "website_name.only_latin_or_digits"
	// CodeNameSpecialSymbol: the name has a symbol outside the allowed set.
	CodeNameSpecialSymbol Code = "website_name.special_symbol"
	// CodeNameIsDomain: the name is the domain itself.
	CodeNameIsDomain Code = "website_name.is_domain"
	// CodeNameForbiddenWord: the name contains a sensitive word.
	CodeNameForbiddenWord Code = "website_name.forbidden_word"
	// CodeNamePersonalWord: a personal site's name contains organisation,
	// industry or product wording.
	CodeNamePersonalWord Code = "website_name.personal_word"
	// CodeNameStatePrefix: a non-state body's name starts with 中国, 国家 …
	CodeNameStatePrefix Code = "website_name.state_prefix"
	// CodeNameGeneric: the name is only generic words (个人网站, 我的博客 …)
	// that say nothing of the content.
	CodeNameGeneric Code = "website_name.generic"
	// CodeNamePersonName: a personal site's name contains the name of the
	// subject or of a website responsible person.
	CodeNamePersonName Code = "website_name.person_name"
	// CodeNamePlaceName: a personal site's name contains a place name.
	CodeNamePlaceName Code = "website_name.place_name"
	// CodeNameRegulatedWord: the name says the site carries regulated
	// content (新闻, 教育 …) that the website does not declare.
	CodeNameRegulatedWord Code = "website_name.regulated_word"

	// CodeOrderTooManyWebsites: more websites than one order may carry.
	CodeOrderTooManyWebsites Code = "order.too_many_websites"
	// CodeOrderTooManyDomains: more domains than the province allows per
	// order.
	CodeOrderTooManyDomains Code = "order.too_many_domains"

	// CodeRemarksContentMissing: a personal filing's remarks do not say
	// what the site is about.
	CodeRemarksContentMissing Code = "remarks.content_description_missing"
	// CodeRemarksStatementMissing: a personal filing's remarks lack the
	// statement the province requires.
	CodeRemarksStatementMissing Code = "remarks.personal_statement_missing"

	// CodeLanguageSimplifiedChineseMissing: the province wants every
	// website in simplified Chinese (among its languages).
	CodeLanguageSimplifiedChineseMissing Code = "language.simplified_chinese_missing"

	// CodePreApprovalMissing: a regulated content type lacks its
	// pre-approval document.
	CodePreApprovalMissing Code = "pre_approval.missing"
	// CodeContentPreApprovalPersonal: a personal subject chose content that
	// needs a pre-approval, which only organisations can hold.
	CodeContentPreApprovalPersonal Code = "content.pre_approval_not_for_personal"
	// CodeContentNotForPersonal: a personal subject chose commercial or
	// organisational content (经营性, 企业信息, 论坛社区 …).
	CodeContentNotForPersonal Code = "content.not_for_personal"

	// CodePhoneNotLocal: a landline's area code is outside the filing
	// province where the bureau wants local numbers.
	CodePhoneNotLocal Code = "phone.not_local"

	// CodeProductMissing: neither cloud instance nor service number given.
	CodeProductMissing Code = "product.missing"
	// CodeProductAmbiguous: both cloud instance and service number given.
	CodeProductAmbiguous Code = "product.ambiguous"
	// CodeServiceNumberFormat: the service number is not 10–32 letters and
	// digits.
	CodeServiceNumberFormat Code = "product.service_number_format"
)

// Material requirement codes returned by RequiredMaterials: why a document
// is demanded.
const (
	// CodeMaterialVerificationForm: every filing carries the signed 真实性核验单.
	CodeMaterialVerificationForm Code = "material.verification_form"
	// CodeMaterialSubjectCertificate: an organisation's certificate.
	CodeMaterialSubjectCertificate Code = "material.subject_certificate"
	// CodeMaterialLeaderID: the subject leader's identity document.
	CodeMaterialLeaderID Code = "material.leader_id"
	// CodeMaterialResponsibleID: a website responsible person other than the
	// leader.
	CodeMaterialResponsibleID Code = "material.responsible_id"
	// CodeMaterialPreApproval: the documents of the pre-approvals listed.
	CodeMaterialPreApproval Code = "material.pre_approval"
	// CodeMaterialDomainCertificate: the province wants domain certificates.
	CodeMaterialDomainCertificate Code = "material.domain_certificate"
	// CodeMaterialAuthorizationLetter: the province wants the legal
	// representative's 网站负责人授权书 for a responsible person who is not
	// the legal representative.
	CodeMaterialAuthorizationLetter Code = "material.authorization_letter"
	// CodeMaterialLeaderAuthorizationLetter: the leader is not the legal
	// representative, who authorises them (主体负责人授权书).
	CodeMaterialLeaderAuthorizationLetter Code = "material.leader_authorization_letter"
	// CodeMaterialCommitmentLetter: the province wants the 互联网信息服务备案
	// 承诺书 from subjects of this nature.
	CodeMaterialCommitmentLetter Code = "material.commitment_letter"
	// CodeMaterialResidencePermit: an individual with a resident ID from
	// another province files with the province's residence permit.
	CodeMaterialResidencePermit Code = "material.residence_permit"
)

// Filing-type outcome codes returned by DetermineType.
const (
	// CodeTypeFirstFiling: the subject has no MIIT record; use 首次备案.
	CodeTypeFirstFiling Code = "filing_type.first_filing"
	// CodeTypeNewWebsiteElsewhere: 新增网站（原备案不在本云）, our case.
	CodeTypeNewWebsiteElsewhere Code = "filing_type.new_website_elsewhere"
	// CodeTypeNewWebsiteHere: 新增网站（原备案在本云）.
	CodeTypeNewWebsiteHere Code = "filing_type.new_website_here"
	// CodeTypeAddAccess: subject and domain are on record; use 新增接入.
	CodeTypeAddAccess Code = "filing_type.add_access"
	// CodeTypeDomainConflict: the domain is filed under another subject
	// (域名冲突).
	CodeTypeDomainConflict Code = "filing_type.domain_conflict"
	// CodeTypeDomainAlreadyHere: the domain is already filed and accessed at
	// this provider; nothing to file.
	CodeTypeDomainAlreadyHere Code = "filing_type.domain_already_here"
	// CodeTypeMixed: the order mixes unfiled domains with domains already on
	// record for the subject; they need separate orders.
	CodeTypeMixed Code = "filing_type.mixed"
	// CodeTypeProvinceMismatch: the subject is on record in another
	// province; its new websites are filed with that province's bureau.
	CodeTypeProvinceMismatch Code = "filing_type.province_mismatch"
	// CodeTypeNatureMismatch: the subject's nature differs from its MIIT
	// record.
	CodeTypeNatureMismatch Code = "filing_type.nature_mismatch"
	// CodeTypeSubjectMismatch: the subject's name or certificate domicile
	// differs from its MIIT record; the record is changed first.
	CodeTypeSubjectMismatch Code = "filing_type.subject_mismatch"
	// CodeTypeShellSubject: the subject is on record without any website
	// left (空壳主体); its record is cancelled, then filed anew.
	CodeTypeShellSubject Code = "filing_type.shell_subject"
)

type codeSpec struct {
	code   Code
	args   int // number of fmt arguments the templates take
	zh, en string
}

// catalogue holds every code once, in declaration order.
var catalogue = []codeSpec{
	{CodeRequired, 0, "此项为必填项。", "This field is required."},
	{CodeInvalidValue, 1, "“%s”不是可选的取值。", "“%s” is not one of the allowed values."},
	{CodeUnknownProvince, 1, "未知的省份代码“%s”。", "Unknown province code “%s”."},

	{CodeCertificateTypeNotAllowed, 2, "主办单位性质为“%[2]s”时不能使用“%[1]s”备案。", "A subject of nature “%[2]s” cannot file with “%[1]s”."},
	{CodePersonIDTypeNotAllowed, 1, "“%s”不能作为负责人的身份证件。", "“%s” is not accepted as a responsible person's identity document."},
	{CodeIDLength, 0, "证件号码应为18位。", "The ID number must be 18 characters long."},
	{CodeIDCharset, 0, "证件号码前17位须为数字，最后一位为数字或X。", "The first 17 characters must be digits and the last a digit or X."},
	{CodeIDRegion, 0, "证件号码前6位地区码与证件类型不符。", "The six-digit region code does not fit this document type."},
	{CodeIDBirthDate, 0, "证件号码中的出生日期（第7–14位）不是有效日期。", "The birth date in characters 7–14 is not a valid date."},
	{CodeIDBirthDateFuture, 0, "证件号码中的出生日期晚于今天。", "The birth date in the ID number lies in the future."},
	{CodeIDCheckDigit, 0, "证件号码校验位错误，请逐位核对。", "The check digit does not match; please re-check the number."},
	{CodeIDTooYoung, 1, "备案省份管局要求负责人年满%d周岁。", "The filing province requires responsible persons to be at least %d years old."},
	{CodeCreditCodeLength, 0, "统一社会信用代码应为18位。", "The unified social credit code must be 18 characters long."},
	{CodeCreditCodeCharset, 0, "统一社会信用代码只能由数字和除I、O、Z、S、V以外的大写字母组成。", "The unified social credit code may contain only digits and capital letters other than I, O, Z, S and V."},
	{CodeCreditCodeRegion, 0, "统一社会信用代码第3–8位应为行政区划数字码。", "Characters 3–8 of the credit code must be the numeric region code."},
	{CodeCreditCodeCheck, 0, "统一社会信用代码校验位错误，请逐位核对。", "The check character of the credit code does not match; please re-check it."},
	{CodeCreditCodeNature, 1, "统一社会信用代码的登记管理部门和机构类别与主办单位性质“%s”不符。", "The registration authority and category of the credit code do not fit the subject nature “%s”."},
	{CodeOrgCodeFormat, 0, "组织机构代码应为8位数字或大写字母加1位校验码，如 12345678-9。", "The organisation code must be 8 digits or capital letters plus a check character, e.g. 12345678-9."},
	{CodeOrgCodeCheck, 0, "组织机构代码校验位错误，请逐位核对。", "The check character of the organisation code does not match; please re-check it."},
	{CodeHKMacauPermitFormat, 0, "港澳居民来往内地通行证号码应为H或M加8位（旧证10位）数字，非中国籍为HA或MA加7位数字。", "An HK/Macau permit number is H or M plus 8 (old cards: 10) digits, or HA or MA plus 7 digits for non-Chinese nationals."},
	{CodeTaiwanPermitFormat, 0, "台湾居民来往大陆通行证号码应为8位数字。", "A Taiwan permit number has 8 digits."},
	{CodePassportFormat, 0, "护照号码应为5–17位字母和数字，且至少包含一位数字。", "A passport number has 5–17 letters and digits, at least one of them a digit."},
	{CodeForeignPermanentIDFormat, 0, "外国人永久居留身份证号码应为3位字母加12位数字（旧版）或以9开头的18位号码（2023年版）。", "A foreign permanent resident ID number is 3 letters plus 12 digits (old) or 18 characters starting with 9 (2023 version)."},
	{CodePersonalLeaderMismatch, 0, "个人主体的主体负责人须为本人，证件类型和号码应与主办者证件一致。", "For a personal subject the leader is the individual: ID type and number must equal the subject's certificate."},
	{CodeNonLocalID, 0, "备案省份管局只接受本省签发的居民身份证办理个人备案。", "The filing province accepts personal filings only with a resident ID issued in that province."},
	{CodeCrossProvince, 0, "单位须在证件住所所在省份备案，不能跨省备案。", "An organisation must file in the province of its certificate domicile."},

	{CodeMobileFormat, 0, "请填写11位中国大陆手机号码，可带+86。", "Enter an 11-digit mainland mobile number, optionally prefixed with +86."},
	{CodeEmailFormat, 0, "电子邮箱格式不正确。", "The e-mail address is not valid."},
	{CodeEmergencySameAsResponsible, 0, "应急联系电话不能与网站负责人的手机号码相同。", "The emergency phone must differ from the website responsible person's mobile."},
	{CodeSharedMobile, 0, "主体负责人与网站负责人不是同一人时，手机号码不能相同。", "When leader and website responsible person are different people their mobile numbers must differ."},
	{CodeSharedEmail, 0, "主体负责人与网站负责人不是同一人时，电子邮箱不能相同。", "When leader and website responsible person are different people their e-mail addresses must differ."},
	{CodeResponsibleSameAsLeader, 0, "备案省份管局要求网站负责人与主体负责人不是同一人。", "The filing province requires a website responsible person other than the subject leader."},
	{CodeLeaderNotLegalRep, 0, "备案省份管局要求单位的主体负责人为法定代表人。", "The filing province requires an organisation's leader to be its legal representative."},
	{CodeResponsibleNotAuthorizedLeader, 0, "主体负责人不是法定代表人时，备案省份管局要求网站负责人与主体负责人为同一人。", "When the leader is not the legal representative, the filing province requires the leader to be the website responsible person too."},

	{CodeAddressProvinceMismatch, 0, "证件住所与通讯地址须在同一省份。", "Certificate domicile and mailing address must be in the same province."},
	{CodeAddressCityMismatch, 0, "备案省份管局要求证件住所与通讯地址在同一城市。", "The filing province requires certificate domicile and mailing address to be in the same city."},
	{CodeAddressNoHouseNumber, 1, "通讯地址未写到门牌号；如已是最详细地址，请在备注中注明“%s”。", "The mailing address has no house number; if none exists, state “%s” in the remarks."},

	{CodeDomainSyntax, 0, "域名格式不正确：只填写域名本身，不带 http:// 或路径。", "Not a valid domain name: enter the bare domain without http:// or a path."},
	{CodeDomainMultiple, 0, "每个网站只能备案一个域名（2019年4月22日起），请为其他域名另建网站。", "Each website carries exactly one domain (since 2019-04-22); add another website for the other domain."},
	{CodeDomainPublicSuffix, 1, "“%s”是公共后缀，不是可备案的域名。", "“%s” is a public suffix, not a fileable domain."},
	{CodeDomainNotRegistrable, 1, "子域名无需也不能单独备案，请备案主域名 %s。", "Subdomains are not filed separately; file the registrable domain %s."},
	{CodeDomainTLDNotApproved, 1, "域名后缀“.%s”未获工信部批准，不能备案。", "The TLD “.%s” is not approved by MIIT and cannot be filed."},
	{CodeDomainTLDNotAllowedInProvince, 1, "备案省份管局不接受“.%s”后缀的域名。", "The filing province does not accept domains under “.%s”."},
	{CodeDomainTLDNotAllowedForNature, 2, "主办单位性质为“%s”时，域名须以下列后缀结尾：%s。", "Subjects of nature “%s” must use one of these TLDs: %s."},
	{CodeDomainDuplicate, 1, "该域名已在本订单第%d个网站中填写。", "This domain is already used by website %d of this order."},
	{CodeHomepageInvalid, 0, "网站首页URL格式不正确，应为 http:// 或 https:// 网址。", "The homepage must be an http:// or https:// URL."},
	{CodeDomainNotRegistered, 0, "域名注册局查询不到该域名的注册信息，请先注册域名或核对拼写。", "The domain's registry has no registration of it; register it first or check the spelling."},
	{CodeDomainOnHold, 0, "域名处于注册局或注册商暂停解析（hold）状态，请联系域名注册商解除。", "The domain is suspended (hold) at its registry or registrar; ask the registrar to lift it."},
	{CodeDomainValidityTooShort, 2, "域名将于%s到期，备案省份管局要求至少剩余%d天有效期，请先续费。", "The domain expires on %s; the filing province requires at least %d days of validity left: renew it first."},
	{CodeDomainRealNamePending, 0, "域名持有者尚未在注册商完成实名认证，请完成后再提交。", "The domain holder's real-name verification at the registrar is not complete; finish it before submitting."},
	{CodeDomainRegistrantMismatch, 0, "域名持有者与主办者不一致：个人备案的域名须为本人所有，单位备案的域名须为单位或其负责人所有，请先过户域名。", "The domain holder is not the subject: a personal filing's domain must be the individual's, an organisation's the organisation's or its principal's; transfer the domain first."},
	{CodeDomainRegistrarNotApproved, 1, "域名注册商“%s”不在工信部批准的域名注册服务机构名单中（如境外注册商），请先将域名转入境内获批注册商。", "The domain's registrar “%s” is not on MIIT's list of approved registrars (a foreign registrar, for example); transfer the domain to an approved registrar first."},
	{CodeHomepageHostMismatch, 1, "网站首页URL须位于所备案的域名 %s 之下。", "The homepage must be on the filed domain %s or one of its subdomains."},

	{CodeNameTooShort, 1, "网站名称至少需要%d个汉字。", "The website name needs at least %d Chinese characters."},
	{CodeNameOnlyLatinOrDigits, 0, "网站名称不能只由数字或英文字母组成。", "The website name cannot consist of digits and Latin letters only."},
	{CodeNameSpecialSymbol, 2, "网站名称不能包含符号“%s”（仅允许：%s）。", "The website name cannot contain “%s” (allowed symbols: %s)."},
	{CodeNameIsDomain, 0, "网站名称不能是域名，请填写能反映网站内容的中文名称。", "The website name cannot be the domain; use a Chinese name describing the content."},
	{CodeNameForbiddenWord, 1, "网站名称包含敏感词：%s。", "The website name contains sensitive words: %s."},
	{CodeNamePersonalWord, 1, "个人网站名称不能使用带有企业、组织、行业或产品性质的词语：%s；如网站确涉及这些内容，请以单位主体备案。", "A personal website name cannot use organisation, industry or product words: %s; file as an organisation if the site really is one."},
	{CodeNameStatePrefix, 1, "非国家机关的网站名称不能以“%s”开头。", "Only state bodies may start a website name with “%s”."},
	{CodeNameGeneric, 0, "网站名称过于笼统（如“个人网站”“我的博客”），须能反映网站的具体内容。", "The website name is too generic (such as 个人网站 or 我的博客); it must describe the site's content."},
	{CodeNamePersonName, 0, "个人网站名称不能包含人名（包括本人姓名），请使用反映网站内容的名称。", "A personal website name cannot contain a person's name, the applicant's included; use a name describing the content."},
	{CodeNamePlaceName, 1, "个人网站名称不能包含地名：%s。", "A personal website name cannot contain place names: %s."},
	{CodeNameRegulatedWord, 2, "网站名称含“%[1]s”，表示网站涉及“%[2]s”内容：请在网站内容中选择“%[2]s”并提供前置审批，或修改名称。", "The name contains “%[1]s”, which says the site carries “%[2]s” content: declare that content with its pre-approval, or change the name."},

	{CodeOrderTooManyWebsites, 1, "一个备案订单最多包含%d个网站，请拆分订单。", "One order may carry at most %d websites; split the order."},
	{CodeOrderTooManyDomains, 1, "备案省份管局要求一个订单最多包含%d个域名，请拆分订单。", "The filing province accepts at most %d domains per order; split the order."},

	{CodeRemarksContentMissing, 0, "个人备案须在备注中说明网站的具体内容。", "A personal filing must describe the website's actual content in the remarks."},
	{CodeRemarksStatementMissing, 1, "备案省份管局要求个人网站在备注中注明：“%s”", "The filing province requires personal websites to state in the remarks: “%s”"},
	{CodeLanguageSimplifiedChineseMissing, 0, "备案省份管局要求网站语种包含简体中文。", "The filing province requires simplified Chinese among the website's languages."},
	{CodePreApprovalMissing, 1, "网站内容涉及“%s”，须先取得前置审批并填写审批文号。", "Content of type “%s” needs a pre-approval; enter its document number."},
	{CodeContentPreApprovalPersonal, 1, "“%s”内容须取得前置审批，个人主体不能备案此类内容；如确需开展，请以单位主体备案。", "“%s” content needs a pre-approval, which a personal subject cannot file; file as an organisation if the site needs it."},
	{CodeContentNotForPersonal, 1, "个人网站不能涉及经营性或单位性质的内容（“%s”），请以单位主体备案或修改网站内容。", "A personal website cannot carry commercial or organisational content (“%s”); file as an organisation or change the content."},
	{CodePhoneNotLocal, 1, "备案省份管局要求使用本省的联系电话，该固定电话区号属于%s。", "The filing province requires local phone numbers; this landline's area code belongs to %s."},

	{CodeMaterialVerificationForm, 0, "请上传签字后的网站备案信息真实性核验单（扫描件）。", "Attach the signed verification form (真实性核验单), scanned."},
	{CodeMaterialSubjectCertificate, 0, "请上传主办单位证件（如营业执照）的彩色原件照片或扫描件。", "Attach the subject's certificate (such as the business licence), a colour photo or scan of the original."},
	{CodeMaterialLeaderID, 0, "请上传主体负责人身份证件的彩色原件照片或扫描件。", "Attach the subject leader's identity document, a colour photo or scan of the original."},
	{CodeMaterialResponsibleID, 0, "请上传网站负责人身份证件的彩色原件照片或扫描件。", "Attach the website responsible person's identity document, a colour photo or scan of the original."},
	{CodeMaterialPreApproval, 0, "请上传所填前置审批的批准文件。", "Attach the approval documents of the pre-approvals listed."},
	{CodeMaterialDomainCertificate, 1, "%s管局要求上传域名证书。", "The %s bureau requires the domain certificate."},
	{CodeMaterialAuthorizationLetter, 1, "%s管局要求：网站负责人不是法定代表人时，须上传法定代表人签字并加盖公章的网站负责人授权书。", "The %s bureau requires a website responsible person authorisation letter (网站负责人授权书), signed by the legal representative and stamped, when the responsible person is not the legal representative."},
	{CodeMaterialLeaderAuthorizationLetter, 1, "%s管局要求：主体负责人不是法定代表人时，须上传法定代表人签字并加盖公章的主体负责人授权书。", "The %s bureau requires the legal representative's signed and stamped authorisation of the subject leader (主体负责人授权书) when the leader is not the legal representative."},
	{CodeMaterialCommitmentLetter, 1, "%s管局要求上传签字（单位须加盖公章）的互联网信息服务备案承诺书。", "The %s bureau requires the signed (and, for organisations, stamped) internet information service filing commitment letter (互联网信息服务备案承诺书)."},
	{CodeMaterialResidencePermit, 1, "身份证非%[1]s签发：%[1]s管局接受在有效期内的本省居住证办理个人备案，请上传居住证。", "The resident ID was not issued in %[1]s: the %[1]s bureau accepts a personal filing with a valid %[1]s residence permit; attach it."},

	{CodeProductMissing, 0, "请选择云服务器实例或填写备案服务号。", "Select a cloud instance or enter a service number."},
	{CodeProductAmbiguous, 0, "云服务器实例和备案服务号只能二选一。", "Give either a cloud instance or a service number, not both."},
	{CodeServiceNumberFormat, 0, "备案服务号应为10–32位字母或数字。", "A service number consists of 10–32 letters and digits."},

	{CodeTypeFirstFiling, 0, "该主体尚未在工信部备案，请办理“首次备案”。", "The subject has no MIIT record yet; apply for a first filing (首次备案)."},
	{CodeTypeNewWebsiteElsewhere, 0, "主体已通过其他接入商备案，本次为“新增网站（原备案不在本云）”。", "The subject was filed through another provider; this is a new website with the record elsewhere (新增网站，原备案不在本云)."},
	{CodeTypeNewWebsiteHere, 0, "主体已在本云备案，请在原备案中办理“新增网站（原备案在本云）”。", "The subject was filed through this provider; add the website to that record (新增网站，原备案在本云)."},
	{CodeTypeAddAccess, 0, "主体和域名均已备案，请办理“新增接入”。", "Subject and domain are already on record; apply for additional access (新增接入)."},
	{CodeTypeDomainConflict, 1, "域名 %s 已在其他主体下备案（域名冲突）：须由原主体注销该网站或将其迁移到本主体后再办理。", "The domain %s is filed under another subject (域名冲突): the other subject must deregister or migrate it first."},
	{CodeTypeDomainAlreadyHere, 1, "域名 %s 已在本云备案接入，无需再次备案；修改信息请办理“变更备案”。", "The domain %s is already filed with this provider; use a change filing (变更备案) to modify it."},
	{CodeTypeMixed, 0, "订单中既有未备案的域名，也有已在本主体下备案的域名，请分别办理“新增网站”和“新增接入”。", "The order mixes unfiled domains with domains already on record for the subject; file them as separate new-website and add-access orders."},
	{CodeTypeProvinceMismatch, 1, "主体已在%[1]s备案：新增网站须提交至主体备案所在省份的管局，请将主体所在省份改为%[1]s。", "The subject is on record in %[1]s: a new website goes to the bureau of the subject's province, so file it in %[1]s."},
	{CodeTypeSubjectMismatch, 0, "主体信息与工信部备案记录不一致：新增网站时主体信息须与已备案信息完全一致，请先在原接入商办理变更主体，再新增网站。", "The subject details differ from the MIIT record: a new website must carry the subject exactly as filed, so change the subject at the original provider first."},
	{CodeTypeShellSubject, 0, "该主体在工信部备案中已无网站（空壳主体）：须先注销主体备案，再以“首次备案”办理。", "The subject is on record without any website (空壳主体): cancel the subject's record first, then apply for a first filing (首次备案)."},
	{CodeTypeNatureMismatch, 1, "工信部记录中的主办单位性质为“%s”，与填写不一致：须与原备案完全一致，如需修改请先在原接入商办理变更备案。", "The MIIT record gives the subject nature as “%s”; it must match exactly, so change the record at the original provider first."},
}

var catalogueByCode = func() map[Code]codeSpec {
	m := make(map[Code]codeSpec, len(catalogue))
	for _, s := range catalogue {
		m[s.code] = s
	}
	return m
}()

// Codes returns every violation and outcome code in declaration order.
func Codes() []Code {
	out := make([]Code, len(catalogue))
	for i, s := range catalogue {
		out[i] = s.code
	}
	return out
}

// Explain returns the message templates of a code (with fmt verbs where the
// message takes details) and whether the code exists.
func Explain(c Code) (Message, bool) {
	s, ok := catalogueByCode[c]
	return Message{ZH: s.zh, EN: s.en}, ok
}
