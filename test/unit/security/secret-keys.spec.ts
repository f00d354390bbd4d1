import { normaliseSecretKeys } from '../../../libs/pubsub/src/security/secret-keys.js';
import { PubSubSecurity } from '../../../libs/pubsub/src/security/pubsub-security.js';

describe('normaliseSecretKeys', () => {
  it('treats an absent value, empty strings and an empty list as no secret', () => {
    for (const none of [undefined, null, '', [], ['', '']]) expect(normaliseSecretKeys(none)).toEqual([]);
  });

  it('keeps the order (the first key signs), dropping empty and repeated keys', () => {
    expect(normaliseSecretKeys('solo')).toEqual(['solo']);
    expect(normaliseSecretKeys(['new', '', 'old', 'new'])).toEqual(['new', 'old']);
  });

  it('throws an error naming secretKeyBase for anything that is not a string', () => {
    expect(() => normaliseSecretKeys(42)).toThrow(/secretKeyBase must be a string.*number/);
    expect(() => normaliseSecretKeys(['ok', { key: 'x' }])).toThrow(/secretKeyBase\[1\] must be a string.*object/);
  });
});

describe('PubSubSecurity options', () => {
  it('reports whether a secret is configured', () => {
    expect(new PubSubSecurity().hasSecret()).toBe(false);
    expect(new PubSubSecurity({ secretKeyBase: '' }).hasSecret()).toBe(false);
    expect(new PubSubSecurity({ secretKeyBase: ['k'] }).hasSecret()).toBe(true);
  });

  it('refuses bad settings at construction, naming the option', () => {
    const bad = { secretKeyBase: [7] } as unknown as { secretKeyBase: string[] };
    expect(() => new PubSubSecurity(bad)).toThrow(/secretKeyBase\[0\]/);
    for (const messageMaxAgeMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new PubSubSecurity({ messageMaxAgeMs })).toThrow(/messageMaxAgeMs/);
    }
    for (const maxRememberedIds of [0, 1.5, -3]) {
      expect(() => new PubSubSecurity({ maxRememberedIds })).toThrow(/maxRememberedIds/);
    }
  });
});
