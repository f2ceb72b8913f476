import { describe, expect, it } from 'vitest';
import { ConfigError, parseServerConfig } from '../../src/http/index.js';

const rp = { id: 'poolnet.example', name: 'Poolnet', origins: ['https://poolnet.example'] };

describe('server config', () => {
  it('[HTTP16] fills every default from a minimal object', () => {
    const config = parseServerConfig({ rp });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: './data',
      stun: { port: 3478, host: '127.0.0.1' },
      bodyLimitBytes: 65_536,
      trustProxy: false,
      rateLimits: {
        register: { burst: 10, perMinute: 5 },
        'sign-in': { burst: 20, perMinute: 20 },
        'add-device': { burst: 10, perMinute: 5 },
        join: { burst: 60, perMinute: 60 },
      },
    });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.turn).toBeUndefined();
    expect(config.tls).toBeUndefined();
    const overridden = parseServerConfig({ rp, rateLimits: { join: { burst: 1, perMinute: 1 } } });
    expect(overridden.rateLimits.join).toEqual({ burst: 1, perMinute: 1 });
    expect(overridden.rateLimits.register).toEqual({ burst: 10, perMinute: 5 });
  });

  it('[HTTP16] a bad config is one ConfigError listing every bad field', () => {
    let error: unknown;
    try {
      parseServerConfig({
        port: 70_000,
        databaseUrl: 'mysql://db',
        turn: { host: 'turn.example' },
        rp: { id: 'x', name: 'y', origins: [] },
        tls: { certPath: 'cert.pem' },
        bodyLimitBytes: -1,
        typo: true,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const paths = (error as ConfigError).issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(
      [
        '',
        'bodyLimitBytes',
        'databaseUrl',
        'port',
        'rp.origins',
        'tls.keyPath',
        'turn.secret',
      ].sort(),
    );
    expect((error as ConfigError).code).toBe('INVALID_CONFIG');
    expect((error as ConfigError).message).toContain('databaseUrl: must start with postgres://');
  });
});
