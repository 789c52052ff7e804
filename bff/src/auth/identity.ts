import type { GatewayCall } from '../payments/channel';

/** The port through which a buyer signs in: an auth code from the wallet → our buyer id. */
export interface BuyerIdentityProvider {
  exchangeAuthCode(authCode: string, call?: GatewayCall): Promise<{ buyerId: string }>;
}

export class BuyerAuthError extends Error {
  override readonly name = 'BuyerAuthError';
  constructor(
    readonly kind: 'rejected' | 'unavailable',
    message: string,
  ) {
    super(message);
  }
}
