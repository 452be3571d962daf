import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.ts';
import { parseExpression } from '../../src/filter/expression.ts';

describe('parseExpression', () => {
  it.each([
    ['comm=nc', 'comm', '=', ['nc']],
    ['pid!=1,2', 'pid', '!=', ['1', '2']],
    ['uid<1000', 'uid', '<', ['1000']],
    ['uid>0', 'uid', '>', ['0']],
    ['uid<=1000', 'uid', '<=', ['1000']],
    ['uid>=1000', 'uid', '>=', ['1000']],
  ] as const)('%s splits into name, operator and values', (text, name, operator, values) => {
    expect(parseExpression(text)).toEqual({ text, name, operator, values, negated: false });
  });

  it('splits at the first operator character, so values may hold more of them', () => {
    const e = parseExpression('net_packet_dns.args.proto_dns.answers.TXT=a=b');
    expect(e.name).toBe('net_packet_dns.args.proto_dns.answers.TXT');
    expect(e.values).toEqual(['a=b']);
  });

  it('trims nothing: a value may end in a space ("server failure ")', () => {
    expect(parseExpression('net_packet_dns.args.proto_dns.responseCode=server failure ').values).toEqual(['server failure ']);
  });

  it('reads flag forms without an operator, and their ! negation', () => {
    expect(parseExpression('container')).toEqual({ text: 'container', name: 'container', operator: undefined, values: [], negated: false });
    expect(parseExpression('!container')).toEqual({ text: '!container', name: 'container', operator: undefined, values: [], negated: true });
    expect(parseExpression('follow').operator).toBeUndefined();
  });

  it.each([
    ['=nc', "invalid filter '=nc': missing field name before '='"],
    ['comm=', "invalid filter 'comm=': missing value after '='"],
    ['comm=a,,b', "invalid filter 'comm=a,,b': missing value after '='"],
    ['comm!nc', "invalid filter 'comm!nc': bad operator (valid: != <= >= = < >)"],
    ['!', "invalid filter '!': empty expression"],
    ['', "invalid filter '': empty expression"],
  ])('%j is a usage error', (text, message) => {
    expect(() => parseExpression(text)).toThrow(UsageError);
    expect(() => parseExpression(text)).toThrow(message);
  });
});
