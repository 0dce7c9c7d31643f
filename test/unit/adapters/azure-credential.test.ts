import { ClientSecretCredential, DefaultAzureCredential, WorkloadIdentityCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { createAzureCredential } from '../../../shared/adapters/azure-keyvault-key-wrapper.ts';
import { ValidationError } from '../../../shared/errors.ts';

// Construction only: no credential here asks for a token, so nothing leaves the process.
describe('createAzureCredential', () => {
  it('builds the credential each kind names', () => {
    expect(createAzureCredential({ kind: 'default' })).toBeInstanceOf(DefaultAzureCredential);
    expect(createAzureCredential({ kind: 'client-secret', tenantId: 't', clientId: 'c', clientSecret: 's3cr3t-value' })).toBeInstanceOf(ClientSecretCredential);
    expect(createAzureCredential({ kind: 'workload-identity', tenantId: 't', clientId: 'c', tokenFilePath: '/var/run/token' })).toBeInstanceOf(
      WorkloadIdentityCredential,
    );
  });

  it('lists every missing client-secret field without echoing the ones given', () => {
    try {
      createAzureCredential({ kind: 'client-secret', clientSecret: 's3cr3t-value' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const problems = (error as ValidationError).problems;
      expect(problems.map((p) => p.split(':')[0])).toEqual(['tenantId', 'clientId']);
      expect(JSON.stringify({ message: (error as Error).message, problems })).not.toContain('s3cr3t-value');
    }
  });

  it('refuses an unknown kind', () => {
    expect(() => createAzureCredential({ kind: 'certificate' as 'default' })).toThrow(ValidationError);
  });
});
