import { describe, expect, it } from 'vitest';
import { parseAlipayHkPaths, ALIPAYHK_PATHS } from './functions';
import { readUserId } from './oauth';
import { readAcquirementStatus, toNormalisedPaymentStatus, UNKNOWN_RESULT_CODES } from './status-map';

describe('payQuery answers', () => {
  it('reads acquirementStatus at the top of the body or in statusDetail (sibling iPay wallets nest it)', () => {
    expect(readAcquirementStatus({ acquirementStatus: 'SUCCESS' })).toBe('SUCCESS');
    expect(readAcquirementStatus({ statusDetail: { acquirementStatus: 'TRADE_FINISHED' } })).toBe('TRADE_FINISHED');
    expect(readAcquirementStatus({ statusDetail: 'SUCCESS' })).toBeUndefined();
    expect(readAcquirementStatus({})).toBeUndefined();
  });

  it('TRADE_FINISHED (paid, refund period over: https://docs.antom.com/ac/gr/trade_status) is paid; unlisted values are unknown', () => {
    expect(toNormalisedPaymentStatus('TRADE_FINISHED')).toBe('PAID');
    expect(toNormalisedPaymentStatus('TRADE_CLOSED')).toBe('CLOSED');
    expect(toNormalisedPaymentStatus('SOMETHING_NEW')).toBe('UNKNOWN');
  });

  it('SYSTEM_ERROR and UNKNOWN_EXCEPTION are unknown outcomes, never failures', () => {
    expect([...UNKNOWN_RESULT_CODES].sort()).toEqual(['SYSTEM_ERROR', 'UNKNOWN_EXCEPTION']);
  });
});

describe('getUserInfo answers (field name not public)', () => {
  it('reads userId at the top or in userInfo; null when absent', () => {
    const resultInfo = { resultStatus: 'S' as const, resultCode: 'SUCCESS' };
    expect(readUserId({ resultInfo, userId: '2188000000000001' })).toBe('2188000000000001');
    expect(readUserId({ resultInfo, userInfo: { userId: '2188000000000002' } })).toBe('2188000000000002');
    expect(readUserId({ resultInfo, userInfo: {} })).toBeNull();
  });
});

describe('ALIPAYHK_PATHS', () => {
  it('overrides single entries and keeps the rest', () => {
    const paths = parseAlipayHkPaths('{"alipay.intl.acquiring.common.refund":"/api/alipay/intl/acquiring/common/grefund.htm"}');
    expect(paths['alipay.intl.acquiring.common.refund']).toBe('/api/alipay/intl/acquiring/common/grefund.htm');
    expect(paths['alipay.intl.acquiring.common.payQuery']).toBe(ALIPAYHK_PATHS['alipay.intl.acquiring.common.payQuery']);
    expect(parseAlipayHkPaths(undefined)).toBe(ALIPAYHK_PATHS);
  });

  it('refuses unknown functions, relative paths and non-objects', () => {
    expect(() => parseAlipayHkPaths('{"alipay.intl.nope":"/x.htm"}')).toThrow(/unknown function/);
    expect(() => parseAlipayHkPaths('{"alipay.intl.acquiring.common.refund":"grefund.htm"}')).toThrow(/starting with \//);
    expect(() => parseAlipayHkPaths('[]')).toThrow(/JSON object/);
    expect(() => parseAlipayHkPaths('{')).toThrow(/JSON object/);
  });
});
