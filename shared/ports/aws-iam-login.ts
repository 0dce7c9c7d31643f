/** `clusters[].auth` of kind `aws-iam`: Vault's AWS IAM auth method and the role to log in as. */
export interface AwsIamAuth {
  role: string;
  mount: string;
  region: string;
  serverIdHeader?: string;
}

/**
 * A login through Vault's AWS IAM auth method (the AWS adapter signs `sts:GetCallerIdentity`);
 * resolves to the token and its lease in seconds. Fails with VaultApiError when Vault refuses,
 * UnavailableError when no node answered.
 */
export type AwsIamLogin = (cluster: { readonly id: string }, auth: AwsIamAuth, signal: AbortSignal) => Promise<{ token: string; leaseDurationSeconds: number }>;
