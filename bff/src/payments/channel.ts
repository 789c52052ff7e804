/**
 * The Channel port: what the payment domain needs from a gateway. Each folder under `channels/`
 * exports one factory implementing it; the domain and the routes only ever see this interface.
 * Gateway states are mapped onto the small normalised sets below by each channel's status-map.
 *
 * "Unknown" — a timeout, a 5xx, a `U`, an answer that does not verify — is an answer, not an
 * exception: every result below that can be unknown carries `{ status: 'UNKNOWN', reason }`
 * (UnknownOutcome), and so does the AgreementGateway port; GatewayUnknownError is thrown inside a
 * channel folder (its client and transport) and turned into UNKNOWN there. Only the two methods with
 * no result to carry it throw: createPayment (AppError GATEWAY_UNAVAILABLE) and parseNotification
 * when its confirming query is unknown (no acknowledgement, so the gateway sends it again).
 */
import type { ChannelName, Currency, H5Wallet, PaymentAction } from '@tradepay/shared';

/** What a channel needs to know about an order. Amounts in minor units. */
export interface ChannelOrder {
  id: string;
  merchantTransId: string;
  amount: number;
  currency: Currency;
  title: string;
  detail: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface PaymentContext {
  clientIp: string;
  /** The shopper's wallet choice; only the H5 (payment intents) channel reads it. */
  wallet?: H5Wallet | undefined;
}

/** Verified gateway facts about a payment: the only thing that can mark an order paid. */
export interface PaymentEvidence {
  source: 'notification' | 'query' | 'agreement-pay';
  merchantId: string;
  merchantTransId: string;
  gatewayTransactionId: string | null;
  amount: number;
  currency: string;
  paidAt: string | null;
  /** The signed text the facts were read from, kept for audit. */
  raw: string;
}

/** The outcome could not be had or trusted: ask again later. Never a failure. */
export interface UnknownOutcome {
  status: 'UNKNOWN';
  reason: string;
}

export type PaymentQueryResult =
  /** The gateway says, under its signature, that the buyer paid. */
  | { status: 'PAID'; evidence: PaymentEvidence }
  /** Created or waiting for the buyer; or the gateway has never seen it. */
  | { status: 'PENDING' }
  /**
   * Closed by the gateway without payment (failed, timed out, or cancelled). `closedAs` says which
   * order status that is when the gateway can tell (default FAILED).
   */
  | { status: 'CLOSED'; evidence: PaymentEvidence; closedAs?: 'FAILED' | 'CANCELLED' }
  /** The answer cannot be trusted or was not had: query again later. Never a failure. */
  | { status: 'UNKNOWN'; reason: string };

/** A notification whose signature verified; its facts are still to be checked against the order. */
export interface VerifiedNotification {
  channel: ChannelName;
  /** Unique per gateway event, so a redelivery is recognised (stored under a unique key). */
  identity: string;
  merchantTransId: string;
  outcome: 'PAID' | 'NOT_PAID';
  evidence: PaymentEvidence;
  /** Opaque to the domain; the channel uses it to build the acknowledgement. */
  replyContext: unknown;
  /** For logs: the gateway's message id. */
  messageId: string;
  /** Facts worth a log line that decide nothing (e.g. an unexpected `head.clientId`). */
  warnings?: string[];
  /** NOT_PAID only: the gateway closed the payment, so the order closes as this. */
  closedAs?: 'FAILED' | 'CANCELLED';
}

/** A verified notice that the wallet user ended an agreement (AlipayHK `notify.cancel`). */
export interface VerifiedAgreementEnd {
  merchantAgreementId: string;
  /** As the wallet wrote it, for logs. */
  cancelTime: string | null;
  messageId: string;
  replyContext: unknown;
  warnings?: string[];
}

export interface NotificationReply {
  statusCode: number;
  contentType: string;
  body: string;
}

export type CancelResult =
  /** The gateway closed the payment; if the buyer had paid, the gateway refunded it in full. */
  | { status: 'CANCELLED' }
  /** The gateway refused (for example, outside its cancel window). Final for this attempt. */
  | { status: 'REFUSED'; code: string }
  | { status: 'UNKNOWN'; reason: string };

export interface RefundRequest {
  /** Our idempotency key at the gateway: the same on every retry of this refund. */
  merchantRefundId: string;
  amount: number;
  reason: string;
  /**
   * An earlier attempt of this refund got no definite answer. A gateway that does not de-duplicate
   * on merchantRefundId must find out what happened before it sends again.
   */
  resend: boolean;
}

export type RefundResult =
  | { status: 'SUCCEEDED'; gatewayRefundId: string | null }
  /** Refused under the gateway's signature: final, nothing was refunded. */
  | { status: 'FAILED'; code: string }
  /**
   * Timeout, 5xx or `U`: retry with the same merchantRefundId. `held`: the channel will not send it
   * again until it knows the outcome; keep it pending for the reconciler, with no in-request retry.
   */
  | { status: 'UNKNOWN'; reason: string; held?: boolean };

/** A paid order as a refund needs it. */
export interface RefundableOrder extends ChannelOrder {
  gatewayTransactionId: string | null;
}

/**
 * Whom a gateway call is made for: the id of the HTTP request being handled, passed down explicitly to
 * the transport, which logs it beside the call (and, in sandbox mode, sends it along). Background work
 * (the reconciler) passes none. An optional last argument of every port method that reaches a gateway.
 */
export interface GatewayCall {
  requestId?: string | undefined;
}

export interface Channel {
  readonly name: ChannelName;
  /** The merchant identity the gateway must state in its evidence. */
  readonly merchantId: string;
  /** Currencies this channel can take; checked before an order is stored. Absent: any. */
  readonly currencies?: readonly Currency[];
  /**
   * createPayment only signs, with no call to the gateway: the order can be signed first and stored
   * once, with its payment. Absent (a channel whose createPayment registers the order at the
   * gateway): the order is stored first, so a notification for it always finds it.
   */
  readonly paymentIsLocal?: boolean;
  createPayment(order: ChannelOrder, context: PaymentContext, call?: GatewayCall): Promise<PaymentAction>;
  queryPayment(order: ChannelOrder, call?: GatewayCall): Promise<PaymentQueryResult>;
  cancelPayment(order: ChannelOrder, call?: GatewayCall): Promise<CancelResult>;
  refund(order: RefundableOrder, request: RefundRequest, call?: GatewayCall): Promise<RefundResult>;
  /**
   * Verifies over the raw body; throws NotificationRejectedError (never returns unverified data). A
   * channel may ask the gateway to confirm (Latipay, intents), under `call`.
   */
  parseNotification(
    rawBody: string,
    headers: Record<string, string | string[] | undefined>,
    call?: GatewayCall,
  ): Promise<VerifiedNotification>;
  /** The acknowledgement the gateway expects; sent only after the commit. */
  acknowledge(notification: VerifiedNotification): Promise<NotificationReply>;
}

/** Channels whose notification URL also receives agreement notices (AlipayHK). */
export interface AgreementNoticeChannel {
  /** null when the raw body is not an agreement notice; else verified like any notification (throws NotificationRejectedError). */
  parseAgreementEnd(rawBody: string): Promise<VerifiedAgreementEnd | null>;
  acknowledgeAgreementEnd(notice: VerifiedAgreementEnd): Promise<NotificationReply>;
}

export type ChannelRegistry = ReadonlyMap<ChannelName, Channel>;

/** A stored order names a channel that is not configured (any more): a configuration fault, not a refusal. */
export class ChannelNotConfiguredError extends Error {
  override readonly name = 'ChannelNotConfiguredError';
  constructor(readonly channel: string) {
    super(`Payment channel ${channel} is not configured`);
  }
}
