/**
 * Contract v1: the request and response schemas of the BFF routes, shared by the BFF (validation,
 * serialisation, OpenAPI) and its clients (the mini program, the H5 page). Every object schema is
 * closed (`additionalProperties: false`) so unknown fields are rejected, not ignored.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CURRENCIES } from './money';
import { ORDER_STATUSES } from './order-status';
import { H5_WALLETS } from './wallets';
import { AGREEMENT_STATUSES } from './agreement-status';

const closed = { additionalProperties: false } as const;

export const CHANNEL_NAMES = ['alipayhk', 'latipay', 'h5'] as const;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export const CurrencySchema = Type.Union(CURRENCIES.map((c) => Type.Literal(c)));
export const AmountSchema = Type.Object(
  {
    currency: CurrencySchema,
    value: Type.String({ pattern: '^(0|[1-9][0-9]*)$', description: 'minor units' }),
  },
  closed,
);

export const ProductSchema = Type.Object(
  {
    sku: Type.String(),
    title: Type.String(),
    titleZh: Type.Optional(Type.String({ description: 'the title in Traditional Chinese (Hong Kong), when the catalog has one' })),
    price: AmountSchema,
  },
  closed,
);
export type Product = Static<typeof ProductSchema>;

export const CatalogResponseSchema = Type.Object({ products: Type.Array(ProductSchema) }, closed);
export type CatalogResponse = Static<typeof CatalogResponseSchema>;

export const SKU_PATTERN = '^[A-Za-z0-9._-]{1,64}$';

export const OrderItemInputSchema = Type.Object(
  {
    sku: Type.String({ pattern: SKU_PATTERN }),
    quantity: Type.Integer({ minimum: 1, maximum: 99 }),
  },
  closed,
);

export const CreateOrderBodySchema = Type.Object(
  {
    items: Type.Array(OrderItemInputSchema, { minItems: 1, maxItems: 50 }),
    channel: Type.Optional(Type.Union(CHANNEL_NAMES.map((c) => Type.Literal(c)))),
    wallet: Type.Optional(
      Type.Union(
        H5_WALLETS.map((w) => Type.Literal(w)),
        { description: 'channel h5 only: the wallet the shopper chose (default ALIPAYHK)' },
      ),
    ),
  },
  closed,
);
export type CreateOrderBody = Static<typeof CreateOrderBodySchema>;

export const OrderStatusSchema = Type.Union(ORDER_STATUSES.map((s) => Type.Literal(s)));

export const OrderLineSchema = Type.Object(
  {
    sku: Type.String(),
    title: Type.String(),
    quantity: Type.Integer(),
    unitPrice: AmountSchema,
  },
  closed,
);

export const OrderSchema = Type.Object(
  {
    id: Type.String(),
    merchantTransId: Type.String(),
    channel: Type.Union(CHANNEL_NAMES.map((c) => Type.Literal(c))),
    status: OrderStatusSchema,
    amount: AmountSchema,
    refundedAmount: AmountSchema,
    items: Type.Array(OrderLineSchema),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    paidAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    expiresAt: Type.String({ format: 'date-time' }),
  },
  closed,
);
export type OrderView = Static<typeof OrderSchema>;

export const PaymentActionSchema = Type.Union([
  Type.Object({ type: Type.Literal('tradePay'), orderStr: Type.String() }, closed),
  Type.Object({ type: Type.Literal('redirect'), url: Type.String() }, closed),
]);
export type PaymentAction = Static<typeof PaymentActionSchema>;

export const CreateOrderResponseSchema = Type.Object({ order: OrderSchema, payment: PaymentActionSchema }, closed);
export type CreateOrderResponse = Static<typeof CreateOrderResponseSchema>;

export const OrderResponseSchema = Type.Object({ order: OrderSchema }, closed);
export type OrderResponse = Static<typeof OrderResponseSchema>;

export const OrderParamsSchema = Type.Object({ id: Type.String({ pattern: '^ord_[A-Za-z0-9_-]{16,64}$' }) }, closed);

export const ConfirmBodySchema = Type.Object(
  {
    resultCode: Type.String({ maxLength: 16, description: 'the resultCode from my.tradePay, or "fail"' }),
  },
  closed,
);
export type ConfirmBody = Static<typeof ConfirmBodySchema>;

export const ErrorResponseSchema = Type.Object({
  error: Type.Object({
    code: Type.String(),
    message: Type.String(),
  }),
  requestId: Type.Optional(Type.String()),
});
export type ErrorResponse = Static<typeof ErrorResponseSchema>;

export const HealthResponseSchema = Type.Object({ status: Type.Literal('ok'), store: Type.Literal('ok') }, closed);

export const SessionBodySchema = Type.Object(
  {
    authCode: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'from my.getAuthCode; omit for a guest session' })),
  },
  closed,
);
export type SessionBody = Static<typeof SessionBodySchema>;

export const SessionResponseSchema = Type.Object(
  {
    token: Type.String({ description: 'send as Authorization: Bearer <token> on /api/orders*' }),
    expiresAt: Type.String({ format: 'date-time' }),
    buyer: Type.Union([Type.Literal('wallet'), Type.Literal('guest')]),
  },
  closed,
);
export type SessionResponse = Static<typeof SessionResponseSchema>;

export const RefundBodySchema = Type.Object(
  {
    amount: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'minor units; omit to refund what is left' })),
    reason: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  },
  closed,
);
export type RefundBody = Static<typeof RefundBodySchema>;

export const RefundSchema = Type.Object(
  {
    id: Type.String(),
    orderId: Type.String(),
    merchantRefundId: Type.String(),
    amount: AmountSchema,
    status: Type.Union([Type.Literal('PENDING'), Type.Literal('SUCCEEDED'), Type.Literal('FAILED')]),
    failureCode: Type.Union([Type.String(), Type.Null()]),
    createdAt: Type.String({ format: 'date-time' }),
  },
  closed,
);
export type RefundView = Static<typeof RefundSchema>;

export const RefundResponseSchema = Type.Object({ refund: RefundSchema, order: OrderSchema }, closed);
export type RefundResponse = Static<typeof RefundResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Auto-debit (AlipayHK agreement pay): bind a wallet, charge it without the shopper, unbind.

export const AgreementStatusSchema = Type.Union(AGREEMENT_STATUSES.map((s) => Type.Literal(s)));

export const AgreementSchema = Type.Object(
  {
    id: Type.String(),
    merchantAgreementId: Type.String(),
    status: AgreementStatusSchema,
    /** Why a binding ended in FAILED (the wallet's code, e.g. AUTH_CODE_EXPIRED); null otherwise. */
    failureCode: Type.Union([Type.String(), Type.Null()]),
    /** The most the shop may charge through this agreement per Hong Kong calendar day. */
    dailyLimit: AmountSchema,
    /** Charged today (Hong Kong day): paid and still-pending charges. */
    chargedToday: AmountSchema,
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
    activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    endedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  closed,
);
export type AgreementView = Static<typeof AgreementSchema>;

export const AgreementParamsSchema = Type.Object({ id: Type.String({ pattern: '^agr_[A-Za-z0-9_-]{16,64}$' }) }, closed);

export const AgreementResponseSchema = Type.Object({ agreement: AgreementSchema }, closed);
export type AgreementResponse = Static<typeof AgreementResponseSchema>;

export const AgreementListResponseSchema = Type.Object({ agreements: Type.Array(AgreementSchema) }, closed);
export type AgreementListResponse = Static<typeof AgreementListResponseSchema>;

export const CreateAgreementResponseSchema = Type.Object(
  {
    agreement: AgreementSchema,
    authUrl: Type.String({ description: "the wallet's consent page: open it in a web-view" }),
  },
  closed,
);
export type CreateAgreementResponse = Static<typeof CreateAgreementResponseSchema>;

/**
 * The wallet's redirect back to us (`merchantRedirectUrl`): `state`, `auth_site`, `merchantAgreementId`,
 * the code (`authCode`, or `auth_code` as the page's sample URL spells it), `client_id`
 * (https://docs.alipay.hk/alipayhkdocs/hk/hk_auto_debit/prepare), and `authResult`
 * (`SUCCESS`/`FAIL`/`ERROR`, https://docs.alipay.hk/alipayhkdocs/hk/a_points_display/api_doc-auth_url);
 * `error` after a decline in earlier sandboxes. Unknown parameters are allowed and ignored, never trusted.
 */
export const AgreementReturnQuerySchema = Type.Object(
  {
    authCode: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    auth_code: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    state: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
    merchantAgreementId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    auth_site: Type.Optional(Type.String({ maxLength: 64 })),
    client_id: Type.Optional(Type.String({ maxLength: 64 })),
    authResult: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    error: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: true },
);
export type AgreementReturnQuery = Static<typeof AgreementReturnQuerySchema>;

/**
 * What `my.signContract` handed the mini program (success `{authCode, authState}`:
 * https://miniprogram.alipay.com/docs-alipayconnect/miniprogram_alipayconnect/mpdev/api_openapi_signcontract),
 * posted to `POST /api/agreements/:id/sign-contract`; checked like the wallet's return URL.
 */
export const SignContractBodySchema = Type.Object(
  {
    authCode: Type.String({ minLength: 1, maxLength: 256 }),
    authState: Type.String({ minLength: 1, maxLength: 256 }),
  },
  closed,
);
export type SignContractBody = Static<typeof SignContractBodySchema>;

/** A charge on a bound wallet: SKUs and quantities only; the server prices it. */
export const CreateChargeBodySchema = Type.Object(
  {
    items: Type.Array(OrderItemInputSchema, { minItems: 1, maxItems: 50 }),
  },
  closed,
);
export type CreateChargeBody = Static<typeof CreateChargeBodySchema>;
