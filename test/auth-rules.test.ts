// The pure rules of sign-in: role mapping from SSO claims, client address, same-origin, redirects.
import { describe, expect, it } from 'vitest';
import { readAuthConfig, roleFromClaims } from '../lib/auth/config';
import { mayDryRun, mayManageUsers, mayReleaseLock, mayRunMigrations, mayView } from '../lib/auth/permissions';
import { clientIp, isSameOrigin } from '../lib/auth/request';
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
  it('takes the client address from the entry the nearest proxy added', () => {
    expect(clientIp(new Headers({ 'x-forwarded-for': '203.0.113.9' }), 1)).toBe('203.0.113.9');
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }), 1)).toBe('203.0.113.9');
    expect(clientIp(new Headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 10.0.0.2' }), 2)).toBe('203.0.113.9');
    expect(clientIp(new Headers(), 1)).toBe('unknown');
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
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', '/sign-in', undefined, ['//x']]) expect(safeNextPath(bad)).toBe('/');
  });
});
