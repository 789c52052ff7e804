/**
 * `resultInfo` values the sandbox answers with. AlipayHK does not publish full per-API tables: the
 * success triple and INVALID_SIGNATURE / UNKNOWN_EXCEPTION are documented; the other codes and every
 * `resultCodeId` except 00000000 are the sandbox's own choice. A client must treat any unlisted `F`
 * as final and any `U` as unknown (docs/protocols/alipayhk.md#result-codes).
 */
export type ResultStatus = 'S' | 'F' | 'U';

export interface ResultInfo {
  resultStatus: ResultStatus;
  resultCodeId: string;
  resultCode: string;
  resultMsg: string;
}

const RESULTS = {
  SUCCESS: ['S', '00000000', 'success'],
  PARAM_ILLEGAL: ['F', '00000004', 'request parameters are missing or malformed'],
  INVALID_SIGNATURE: ['F', '00000005', 'signature verification failed'],
  INVALID_CLIENT_ID: ['F', '00000006', 'head.clientId is not the one this gateway issued'],
  MERCHANT_NOT_MATCH: ['F', '00000007', 'body.merchantId does not belong to this client'],
  FUNCTION_NOT_MATCH: ['F', '00000008', 'head.function does not match the called path'],
  ORDER_NOT_EXIST: ['F', '00000011', 'no such transaction'],
  ORDER_STATUS_INVALID: ['F', '00000012', 'the transaction is not in a state that allows this'],
  CANCEL_WINDOW_EXCEED: ['F', '00000013', 'payCancel is only allowed on the day of the payment (Beijing time)'],
  REFUND_AMOUNT_EXCEED: ['F', '00000014', 'refunds would exceed the paid amount'],
  CURRENCY_NOT_MATCH: ['F', '00000015', 'currency differs from the payment currency'],
  REPEAT_REQ_INCONSISTENT: ['F', '00000016', 'same business id (merchantRefundId / merchantTransId) with different content'],
  INVALID_AUTH_CODE: ['F', '00000021', 'authCode is unknown or was already used'],
  AUTH_CODE_EXPIRED: ['F', '00000022', 'authCode expired (it lives 10 minutes): ask the user again'],
  INVALID_REFRESH_TOKEN: ['F', '00000023', 'refreshToken is unknown, already used or expired'],
  INVALID_ACCESS_TOKEN: ['F', '00000024', 'accessToken is missing, unknown or replaced by a refresh'],
  ACCESS_TOKEN_EXPIRED: ['F', '00000025', 'accessToken expired: refresh it with applyToken (REFRESH_TOKEN)'],
  AGREEMENT_REVOKED: ['F', '00000026', 'the agreement was cancelled; the user must authorise again'],
  AGREEMENT_NOT_EXIST: ['F', '00000027', 'no authorised agreement with this merchantAgreementId'],
  AGREEMENT_ALREADY_EXIST: ['F', '00000028', 'this merchantAgreementId is already bound; use a new one'],
  SCOPE_NOT_AUTHORIZED: ['F', '00000029', 'the access token is not bound to an AUTH_AGREEMENTPAY agreement'],
  UNKNOWN_EXCEPTION: ['U', '00000900', 'unknown exception, query or retry with the same business id'],
} as const satisfies Record<string, readonly [ResultStatus, string, string]>;

export type ResultCode = keyof typeof RESULTS;

export function resultInfo(code: ResultCode, message?: string): ResultInfo {
  const [resultStatus, resultCodeId, defaultMessage] = RESULTS[code];
  return { resultStatus, resultCodeId, resultCode: code, resultMsg: message ?? defaultMessage };
}
