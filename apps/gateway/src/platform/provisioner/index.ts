import type { Config } from '../config.ts';
import { commandProvisioner } from './command-provisioner.ts';
import { manualProvisioner, type Provisioner } from './provisioner.ts';
import { webhookProvisioner } from './webhook-provisioner.ts';

export { commandProvisioner } from './command-provisioner.ts';
export {
  type GroupSyncRequest,
  type LicenceChange,
  type LicenceStateRequest,
  type LicenceStorageState,
  manualProvisioner,
  type ProjectMade,
  type ProvisionedDetails,
  type Provisioner,
  type ProvisionerKind,
  type ProvisionerMessage,
  ProvisioningError,
  type ProvisionRequest,
  provisionedDetailsSchema,
} from './provisioner.ts';
export { SIGNATURE_HEADER, signBody, verifySignature } from './signature.ts';
export { webhookProvisioner } from './webhook-provisioner.ts';

/** The provisioner a deployment asked for (PROVISIONER); nothing runs or is contacted until an order needs it. */
export function createProvisioner(settings: Config['provisioner']): Provisioner {
  switch (settings.kind) {
    case 'manual':
      return manualProvisioner;
    case 'command':
      return commandProvisioner(settings);
    case 'webhook':
      return webhookProvisioner(settings);
  }
}
