// sealwatch custody (or Vault seal) key in Azure Key Vault.
// Deploy: az deployment group create -g RG -f infra/azure/keyvault.bicep \
//           -p vaultName=sealwatch-kv principalId=<object id of the sealwatch service principal>
// Then set wrappers[].azureKeyVault.{vaultUrl,keyName} from the outputs (README "Azure").

@description('Globally unique Key Vault name (3-24 characters).')
@minLength(3)
@maxLength(24)
param vaultName string

@description('Name of the RSA key sealwatch wraps share data keys with (RSA-OAEP-256).')
param keyName string = 'sealwatch-custody'

@description('Object id of the service principal (app registration or user-assigned identity) sealwatch authenticates as.')
param principalId string

@description('Principal type of principalId.')
@allowed(['ServicePrincipal', 'User', 'Group'])
param principalType string = 'ServicePrincipal'

param location string = resourceGroup().location

@description('RSA key size; 3072 or 4096 for long-lived custody.')
@allowed([2048, 3072, 4096])
param keySize int = 3072

@description('Premium keeps the key in an HSM (kty RSA-HSM).')
@allowed(['standard', 'premium'])
param skuName string = 'standard'

// Key Vault Crypto Service Encryption User: read key metadata + wrapKey/unwrapKey, nothing else
// (no encrypt/decrypt/sign, no key management). Enough for custody and for the health canary.
var cryptoServiceEncryptionUser = 'e147488a-f6f5-4113-8e2d-b22465e65bf6'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: vaultName
  location: location
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: skuName }
    // Azure RBAC instead of access policies, so access can be scoped to the single key.
    enableRbacAuthorization: true
    // A deleted or purged key would make every share wrapped under it unreadable.
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource key 'Microsoft.KeyVault/vaults/keys@2023-07-01' = {
  parent: vault
  name: keyName
  properties: {
    kty: skuName == 'premium' ? 'RSA-HSM' : 'RSA'
    keySize: keySize
    // Only what sealwatch (and Vault's azurekeyvault seal) use.
    keyOps: ['wrapKey', 'unwrapKey']
    attributes: { enabled: true, exportable: false }
  }
}

resource wrapAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  // Scoped to the key, not the vault: the principal cannot touch any other key or secret.
  scope: key
  name: guid(key.id, principalId, cryptoServiceEncryptionUser)
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', cryptoServiceEncryptionUser)
    principalId: principalId
    principalType: principalType
  }
}

output vaultUrl string = vault.properties.vaultUri
output keyName string = key.name
output keyId string = key.properties.keyUri
