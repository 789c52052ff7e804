/**
 * Every text the mini program shows, one catalog per language (en.ts, zh-hk.ts): each is typed as this,
 * so a text missing from either fails the type-check. `{name}` is a placeholder.
 */
export interface Messages {
  /** Product titles: the catalog's Traditional Chinese `titleZh` when true. */
  chineseTitles: boolean;
  titles: {
    checkout: string;
    result: string;
    orders: string;
    autodebit: string;
    webview: string;
  };
  checkout: {
    loading: string;
    loadError: string;
    total: string;
    pay: string;
    payAgain: string;
    emptyCart: string;
    unavailable: string;
    myOrders: string;
    autoDebit: string;
  };
  status: {
    creating: string;
    paying: string;
    confirming: string;
    stillConfirmingTitle: string;
    stillConfirming: string;
    unreachable: string;
    succeededTitle: string;
    succeeded: string;
    failedTitle: string;
    paymentFailed: string;
    noPermission: string;
    orderFailed: string;
    orderRefunded: string;
    unsupported: string;
    startFailedTitle: string;
    cancelledTitle: string;
    cancelled: string;
  };
  errors: {
    network: string;
    timeout: string;
    server: string;
    rejected: string;
    badResponse: string;
    signIn: string;
    /** The code in small print under a plain text. */
    code: string;
  };
  /** Plain texts for the BFF's error codes a shopper can meet (bff/src/errors.ts). */
  codes: Record<string, string>;
  actions: {
    retry: string;
    checkAgain: string;
    viewOrder: string;
    newOrder: string;
    myOrders: string;
    continueShopping: string;
  };
  order: {
    order: string;
    amount: string;
    refunded: string;
    created: string;
    paidAt: string;
  };
  orderStatus: {
    PENDING: string;
    SUCCEEDED: string;
    FAILED: string;
    CANCELLED: string;
    PARTIALLY_REFUNDED: string;
    REFUNDED: string;
  };
  result: {
    loading: string;
    missingId: string;
    loadError: string;
    pendingTitle: string;
    pending: string;
    succeededTitle: string;
    succeeded: string;
    failedTitle: string;
    failed: string;
    cancelledTitle: string;
    cancelled: string;
    refundedTitle: string;
    refunded: string;
    partiallyRefundedTitle: string;
    partiallyRefunded: string;
  };
  autodebit: {
    intro: string;
    loading: string;
    loadError: string;
    noneTitle: string;
    none: string;
    pendingTitle: string;
    pending: string;
    activeTitle: string;
    active: string;
    declined: string;
    failed: string;
    revoked: string;
    expired: string;
    limit: string;
    bind: string;
    bindAgain: string;
    unbind: string;
    working: string;
    bindCancelled: string;
    bindNetwork: string;
    bindChecking: string;
    subscribeTitle: string;
    choose: string;
    charge: string;
    chargeNone: string;
    creating: string;
    confirming: string;
    stillConfirmingTitle: string;
    stillConfirming: string;
    succeededTitle: string;
    succeeded: string;
    failedTitle: string;
    chargeDeclined: string;
    inactive: string;
    overLimit: string;
    orderFailed: string;
  };
  webview: {
    invalid: string;
  };
  a11y: {
    decrease: string;
    increase: string;
    quantity: string;
    select: string;
  };
  orders: {
    loading: string;
    empty: string;
    loadError: string;
    notFound: string;
  };
}
