/**
 * The local stack's ports (fixed by default, as docs/guide.md lists them; any free ones with
 * `WAPK_PORTS=ephemeral`), and the one-line error for a port that is taken. Light: the stack's
 * entry reads it before anything heavy is loaded.
 */
import { LocalStackError, WapkError } from '../errors.ts';
import { MOCKED_PROVIDERS } from '../mock/providers.ts';
import { byProvider, type ProviderName } from '../providers/names.ts';

export interface LocalPorts {
  http: number;
  dynamo: number;
  sqs: number;
  mocks: Record<ProviderName, number>;
}

export const DEFAULT_PORTS: LocalPorts = {
  http: 3000,
  dynamo: 8000,
  sqs: 9324,
  mocks: byProvider((p) => MOCKED_PROVIDERS[p].port),
};

export const EPHEMERAL_PORTS: LocalPorts = {
  http: 0,
  dynamo: 0,
  sqs: 0,
  mocks: byProvider(() => 0),
};

export class PortTakenError extends WapkError {
  override readonly name = 'PortTakenError';
  readonly kind = 'port_taken';
  readonly visible = true;
}

/** Starts a listening service; a taken port becomes a {@link PortTakenError} naming it, anything else names the service. */
export async function listenOrExplain<T>(what: string, port: number, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new PortTakenError(
        `port ${port} (${what}) is taken: stop what uses it, or choose another port (see docs/guide.md, "Local stack and CLI")`,
      );
    }
    throw new LocalStackError(`${what} failed to start: ${(error as Error).message}`, { cause: error });
  }
}
