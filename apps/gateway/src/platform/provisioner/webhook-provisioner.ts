import {
  boundedMessage,
  type GroupSyncRequest,
  type LicenceStateRequest,
  type ProjectMade,
  type ProvisionedDetails,
  type Provisioner,
  type ProvisionerMessage,
  ProvisioningError,
  type ProvisionRequest,
  parseProjectsMade,
  parseProvisionedDetails,
  partialDetailsFrom,
} from './provisioner.ts';
import { SIGNATURE_HEADER, signBody } from './signature.ts';

export interface WebhookOptions {
  url: string;
  /** Signs each body (HMAC-SHA256); production refuses a webhook without one. */
  secret?: string;
  timeoutSeconds: number;
  fetch?: typeof fetch;
}

/**
 * POSTs the message as JSON to a configured URL, signed in the x-provisioner-signature header, and
 * expects a 2xx with the details made as JSON. Anything else is a failure: a non-2xx may answer
 * `{"error": "…", "partial": {details made so far}}`, and what it names is undone. The body carries
 * the time it was sent (`sentAt`), inside the signature, so a receiver can refuse a replay.
 */
export function webhookProvisioner(options: WebhookOptions): Provisioner {
  const call = async (message: ProvisionerMessage): Promise<{ status: number; body: unknown; text: string }> => {
    const body = JSON.stringify({ ...message, sentAt: new Date().toISOString() });
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.secret) headers[SIGNATURE_HEADER] = signBody(options.secret, body);
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(options.url, {
        method: 'POST',
        headers,
        body,
        // a signed request goes only where it was configured to go
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutSeconds * 1000),
      });
      const text = await response.text();
      return { status: response.status, body: parseJson(text), text };
    } catch (error) {
      const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new ProvisioningError(
        timedOut
          ? `The provisioning webhook did not answer within ${options.timeoutSeconds} s.`
          : `The provisioning webhook could not be reached: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };

  return {
    kind: 'webhook',
    automatic: true,
    async provision(request: ProvisionRequest): Promise<ProvisionedDetails> {
      const answer = await call({ action: 'provision', request });
      if (answer.status < 200 || answer.status > 299) {
        throw new ProvisioningError(failureMessage(answer), partialDetailsFrom(answer.body));
      }
      return parseProvisionedDetails(answer.body, 'provisioning webhook');
    },
    async undo(request: ProvisionRequest, details: ProvisionedDetails): Promise<void> {
      const answer = await call({ action: 'undo', request, details });
      if (answer.status < 200 || answer.status > 299) throw new ProvisioningError(failureMessage(answer));
    },
    async syncGroups(request: GroupSyncRequest): Promise<ProjectMade[]> {
      const answer = await call({ action: 'sync-groups', request });
      if (answer.status < 200 || answer.status > 299) throw new ProvisioningError(failureMessage(answer));
      if (answer.text.trim() !== '' && answer.body === undefined) {
        throw new ProvisioningError('The provisioning webhook answered sync-groups with something that is not JSON.');
      }
      return parseProjectsMade(answer.body, 'provisioning webhook');
    },
    async applyLicenceState(request: LicenceStateRequest): Promise<void> {
      const answer = await call({ action: 'licence-state', request });
      if (answer.status < 200 || answer.status > 299) throw new ProvisioningError(failureMessage(answer));
    },
  };
}

function failureMessage(answer: { status: number; body: unknown; text: string }): string {
  const said =
    answer.body && typeof answer.body === 'object' && 'error' in answer.body
      ? String((answer.body as { error: unknown }).error)
      : answer.text;
  const detail = boundedMessage(said);
  return `The provisioning webhook answered HTTP ${answer.status}${detail ? `: ${detail}` : '.'}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
