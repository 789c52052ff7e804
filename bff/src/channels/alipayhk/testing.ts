/**
 * Produces validly signed AlipayHK messages for tests (like stripe-node's generateTestHeaderString),
 * so no test hand-crafts a signature. It signs with whatever gateway key the test holds.
 */
import { randomUUID } from 'node:crypto';
import { ALIPAYHK_FUNCTIONS } from './functions';
import { cutSignedParts, toEnvelopeText, toRfc3339 } from './sign-content';
import { createRsaSigner, type ParsedRsaKey, type SignAlgorithm } from './signing';
import type { PayNotifyBody, RequestPayload, ResponsePayload } from './wire-types';

export interface TestNotificationInput {
  clientId: string;
  merchantTransId: string;
  amount: { currency: string; value: string };
  acquirementId?: string;
  resultStatus?: 'S' | 'F';
  merchantId?: string;
  /** Default `alipay.intl.acquiring.common.notify.pay`; the PC2Mobile name is `…cashier.notify.pay`. */
  fn?: string;
}

export async function signTestNotification(
  input: TestNotificationInput,
  gatewayPrivateKey: ParsedRsaKey,
  algorithm: SignAlgorithm = 'RSA2',
): Promise<string> {
  const payload: RequestPayload<PayNotifyBody> = {
    head: {
      version: '2.0.0',
      function: input.fn ?? ALIPAYHK_FUNCTIONS.notifyPay,
      clientId: input.clientId,
      reqTime: toRfc3339(new Date()),
      reqMsgId: randomUUID().replace(/-/g, ''),
      reserve: '{}',
    },
    body: {
      resultInfo:
        (input.resultStatus ?? 'S') === 'S'
          ? { resultStatus: 'S', resultCodeId: '00000000', resultCode: 'SUCCESS', resultMsg: 'success' }
          : { resultStatus: 'F', resultCodeId: '00000001', resultCode: 'PAYMENT_FAILED', resultMsg: 'failed' },
      acquirementId: input.acquirementId ?? `2026${Date.now()}${Math.floor(Math.random() * 1e6)}`,
      merchantTransId: input.merchantTransId,
      ...(input.merchantId ? { merchantId: input.merchantId } : {}),
      orderAmount: input.amount,
      paymentTime: toRfc3339(new Date()),
      extendInfo: '{}',
    },
  };
  const content = JSON.stringify(payload);
  return toEnvelopeText('request', content, await createRsaSigner(gatewayPrivateKey, algorithm).sign(content));
}

/**
 * The gateway's signed reply to a request our client sent (its envelope text, as the fetch double
 * received it): the head echoes the request's function, clientId and reqMsgId; `body` must carry
 * its own `resultInfo`.
 */
export async function signTestResponse(
  requestText: string,
  body: Record<string, unknown>,
  gatewayPrivateKey: ParsedRsaKey,
  algorithm: SignAlgorithm = 'RSA2',
): Promise<string> {
  const request = JSON.parse(cutSignedParts(requestText, 'request').content) as RequestPayload;
  const payload: ResponsePayload = {
    head: {
      version: '2.0.0',
      function: request.head.function,
      clientId: request.head.clientId,
      respTime: toRfc3339(new Date()),
      reqMsgId: request.head.reqMsgId,
      reserve: '{}',
    },
    body: body as ResponsePayload['body'],
  };
  const content = JSON.stringify(payload);
  return toEnvelopeText('response', content, await createRsaSigner(gatewayPrivateKey, algorithm).sign(content));
}
