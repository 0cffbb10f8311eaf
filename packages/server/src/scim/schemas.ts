// The schema and message URNs of RFC 7643 §8.7 and RFC 7644 §3 this implementation speaks.

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** The enterprise user extension (RFC 7643 §4.3): employeeNumber, department, manager… */
export const ENTERPRISE_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SERVICE_PROVIDER_CONFIG_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
export const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
export const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

/** The media type of every SCIM body (RFC 7644 §3.1); plain JSON is accepted too. */
export const SCIM_MEDIA_TYPE = 'application/scim+json';

/** The most resources one page returns (RFC 7644 §3.4.2.4 lets the provider cap `count`). */
export const MAX_PAGE = 200;
