export * from './money';
export * from './order-status';
export * from './trade-pay-result';
export * from './api';
export * from './wallets';
export * from './agreement-status';
