/**
 * Latipay refunds, `POST /refund` (docs/protocols/latipay.md): sent once, since Latipay documents no
 * refund de-duplication and no refund query; `562` says an earlier send went through.
 */
import { toDecimalString } from '@tradepay/shared';
import { GatewayUnknownError } from '../../errors';
import type { GatewayCall, RefundableOrder, RefundRequest, RefundResult } from '../../payments/channel';
import { LATIPAY_PATHS, type LatipayClient } from './client';
import { codeOf, isDocumentedError, LATIPAY_REFUND_FAILURE_CODES, REFUND_ALREADY_DONE_CODE, SUCCESS_CODE } from './status-map';
import type { RefundResponse } from './wire-types';
import type { LatipayChannelConfig } from './values';

export async function sendLatipayRefund(
  client: LatipayClient,
  config: Pick<LatipayChannelConfig, 'userId' | 'refundResend'>,
  order: RefundableOrder,
  request: RefundRequest,
  call?: GatewayCall,
): Promise<RefundResult> {
  if (!order.gatewayTransactionId) return { status: 'FAILED', code: 'NO_LATIPAY_ORDER_ID' };
  if (request.resend && config.refundResend !== 'resend') {
    // Latipay documents no refund de-duplication and no refund query: sending again could refund
    // twice. Held until someone checks the Latipay merchant portal.
    return {
      status: 'UNKNOWN',
      held: true,
      reason: `refund ${request.merchantRefundId} had no definite answer; not re-sent (LATIPAY_REFUND_RESEND=hold)`,
    };
  }
  let reply;
  try {
    reply = await client.post<RefundResponse>(
      LATIPAY_PATHS.refund,
      {
        user_id: config.userId,
        order_id: order.gatewayTransactionId,
        refund_amount: toDecimalString(request.amount, order.currency),
        // "Notes about this refund": our merchantRefundId, for the portal; not a de-duplication key.
        reference: request.merchantRefundId,
      },
      call,
    );
  } catch (error) {
    if (error instanceof GatewayUnknownError) return { status: 'UNKNOWN', reason: error.message };
    throw error;
  }
  const code = codeOf(reply.body.code);
  if (code === SUCCESS_CODE && reply.status < 300) return { status: 'SUCCEEDED', gatewayRefundId: null };
  // "This refund request has been done": an earlier send of this refund went through.
  if (code === REFUND_ALREADY_DONE_CODE) return { status: 'SUCCEEDED', gatewayRefundId: null };
  if (code !== null && (Object.hasOwn(LATIPAY_REFUND_FAILURE_CODES, code) || isDocumentedError(code)))
    return { status: 'FAILED', code: `LATIPAY_${code}` };
  return {
    status: 'UNKNOWN',
    reason: `refund answered HTTP ${reply.status} code ${code ?? '(none)'} ${String(reply.body.message ?? '')}`.trim(),
  };
}
