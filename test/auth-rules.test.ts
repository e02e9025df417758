// The pure rules of sign-in: role mapping from SSO claims, client address, same-origin, redirects.
import { describe, expect, it } from 'vitest';
import { readAuthConfig, roleFromClaims } from '../lib/auth/config';
import { mayDryRun, mayManageUsers, mayReleaseLock, mayRunMigrations, mayView } from '../lib/auth/permissions';
import { clientIp, isSameOrigin } from '../lib/auth/request';
import { parseTrustedProxies } from '../lib/http/trusted-proxies';
import { safeNextPath } from '../lib/schemas/auth';

describe('roles', () => {
  it('viewer reads, operator also runs, admin also releases locks and manages users', () => {
    expect([mayView, mayDryRun, mayRunMigrations, mayReleaseLock, mayManageUsers].map((p) => p('viewer'))).toEqual([true, false, false, false, false]);
    expect([mayView, mayDryRun, mayRunMigrations, mayReleaseLock, mayManageUsers].map((p) => p('operator'))).toEqual([true, true, true, false, false]);
    expect([mayView, mayDryRun, mayRunMigrations, mayReleaseLock, mayManageUsers].map((p) => p('admin'))).toEqual([true, true, true, true, true]);
  });
});

describe('OIDC role mapping', () => {
  const oidc = readAuthConfig({
    STRATA_OIDC_ISSUER: 'https://idp.example.com',
    STRATA_OIDC_CLIENT_ID: 'strata',
    STRATA_OIDC_CLIENT_SECRET: 's3cret',
    STRATA_OIDC_ROLE_MAP: 'strata-admins=admin, platform=operator,readers=viewer',
  }).oidc!;

  it('takes the highest role among the groups, from an array or a string claim', () => {
    expect(roleFromClaims(oidc, { groups: ['readers', 'platform'] })).toBe('operator');
    expect(roleFromClaims(oidc, { groups: 'readers strata-admins' })).toBe('admin');
    expect(roleFromClaims(oidc, { groups: ['marketing'] })).toBeUndefined();
    expect(roleFromClaims(oidc, {})).toBeUndefined();
    expect(roleFromClaims({ ...oidc, defaultRole: 'viewer' }, { groups: ['marketing'] })).toBe('viewer');
  });

  it('rejects half a configuration and a malformed map', () => {
    expect(() => readAuthConfig({ STRATA_OIDC_ISSUER: 'https://idp.example.com' })).toThrow(/must be set together/);
    expect(() => readAuthConfig({ STRATA_OIDC_ISSUER: 'https://i', STRATA_OIDC_CLIENT_ID: 'a', STRATA_OIDC_CLIENT_SECRET: 'b', STRATA_OIDC_ROLE_MAP: 'x=root' })).toThrow(/x=root/);
    expect(() => readAuthConfig({ STRATA_ADMIN_EMAIL: 'a@b.c' })).toThrow(/set together/);
  });
});

describe('requests', () => {
  it('takes the client address from the nearest entry that is not a trusted proxy', () => {
    const loopback = parseTrustedProxies('loopback');
    const two = parseTrustedProxies('127.0.0.1, 10.0.0.0/8');
    // The front door ends the chain with the peer it saw.
    expect(clientIp(new Headers({ 'x-forwarded-for': '203.0.113.9' }), loopback)).toBe('203.0.113.9');
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 127.0.0.1' }), loopback)).toBe('203.0.113.9');
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.1.2.3, 127.0.0.1' }), two)).toBe('203.0.113.9');
    expect(clientIp(new Headers({ 'x-forwarded-for': '127.0.0.1' }), loopback)).toBe('127.0.0.1');
    expect(clientIp(new Headers({ 'x-forwarded-for': '::ffff:127.0.0.1' }), parseTrustedProxies('none'))).toBe('::ffff:127.0.0.1');
    expect(clientIp(new Headers({ 'x-forwarded-for': '<script>, 127.0.0.1' }), loopback)).toBe('unknown');
    expect(clientIp(new Headers(), loopback)).toBe('unknown');
  });

  it('reads STRATA_TRUSTED_PROXIES as addresses and ranges, and refuses the old count', () => {
    const p = parseTrustedProxies('192.0.2.10,2001:db8::/32,private');
    expect(['192.0.2.10', '2001:db8::1', '10.9.9.9', '::ffff:192.168.1.1'].map((a) => p.trusts(a))).toEqual([true, true, true, true]);
    expect(['192.0.2.11', '127.0.0.1', 'not-an-ip'].map((a) => p.trusts(a))).toEqual([false, false, false]);
    expect(parseTrustedProxies(undefined).trusts('127.0.0.1')).toBe(true);
    expect(() => parseTrustedProxies('1')).toThrow(/no longer a count/);
    expect(() => parseTrustedProxies('10.0.0.0/33')).toThrow(/STRATA_TRUSTED_PROXIES/);
  });

  it('accepts a change only from the same origin, and refuses one that says nothing', () => {
    const own = 'https://strata.example.com';
    expect(isSameOrigin(new Headers({ 'sec-fetch-site': 'same-origin', origin: own }), own)).toBe(true);
    expect(isSameOrigin(new Headers({ origin: own }), own)).toBe(true);
    expect(isSameOrigin(new Headers({ 'sec-fetch-site': 'same-site', origin: 'https://other.example.com' }), own)).toBe(false);
    expect(isSameOrigin(new Headers({ 'sec-fetch-site': 'same-origin', origin: 'https://evil.example' }), own)).toBe(false);
    expect(isSameOrigin(new Headers({ 'sec-fetch-site': 'cross-site' }), own)).toBe(false);
    expect(isSameOrigin(new Headers(), own)).toBe(false);
  });

  it('returns after sign-in only to a path on this site', () => {
    expect(safeNextPath('/migrations?x=1')).toBe('/migrations?x=1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', '/sign-in', undefined, ['//x'], '/x\ud800']) expect(safeNextPath(bad)).toBe('/');
  });

  it('percent-encodes what a Location header cannot carry', () => {
    expect(safeNextPath('/\u65e5?q=\u00e9')).toBe('/%E6%97%A5?q=%C3%A9');
    expect(safeNextPath('/evaluations?q=%E6%97%A5')).toBe('/evaluations?q=%E6%97%A5');
    expect(() => new Headers({ location: safeNextPath('/\u65e5') })).not.toThrow();
  });
});
