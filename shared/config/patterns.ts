// Patterns shared by the schema sections and the cross-checks.
export const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
export const AWS_REGION_MESSAGE = 'must be an AWS region like eu-west-1';
export const KMS_KEY_ID =
  /^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[A-Za-z0-9/_-]+|alias\/[A-Za-z0-9/_-]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|mrk-[0-9a-f]{32})$/;
export const KMS_KEY_ID_MESSAGE = 'must be a key ARN, alias ARN, alias/NAME, key id or mrk- id';
export const KMS_ARN_REGION = /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/;
export const DYNAMODB_TABLE = /^[A-Za-z0-9_.-]{3,255}$/;
export const DYNAMODB_TABLE_MESSAGE = 'must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)';
export const AZURE_KEY_NAME = /^[0-9A-Za-z-]{1,127}$/;
export const AZURE_KEY_NAME_MESSAGE = 'must be a Key Vault key name (1-127 of A-Z a-z 0-9 -)';
export const AZURE_KEY_VERSION = /^[0-9A-Za-z]{1,64}$/;
export const SNS_TOPIC_ARN = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
/** Vault auth mount path: `aws`, `aws/prod`. */
export const AUTH_MOUNT = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/;
/** Prometheus label name. */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
