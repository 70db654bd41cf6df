import { DEVELOPMENT_TOKEN_SECRET } from '../../lambda/auth/development-token';
import { parseLoadOptions, UsageError } from '../../load/options';
import { thresholdFailures } from '../../load/results';
import { arrivalsBy } from '../../load/scenarios/gameday';
import { type CommandRunner, isLoopbackHost, resolveTarget } from '../../load/target';

// The load kit's command line and target rules: a mistake is refused before anything is sent, the local service is
// the only default, and a deployed stage needs https and its secret. No test here sends a request anywhere: the
// AWS CLI is replaced by a fake runner.

describe('the command line', () => {
  it('takes one scenario and gives each its defaults', () => {
    expect(parseLoadOptions(['lobby'])).toMatchObject({
      scenario: 'lobby',
      target: 'http://127.0.0.1:8080',
      durationSeconds: 20,
      players: 64,
      lobbySize: 4,
      thinkMs: 0,
      progress: true,
    });
    expect(parseLoadOptions(['hot'])).toMatchObject({ players: 300, maxMembers: 100 });
    expect(parseLoadOptions(['realtime'])).toMatchObject({ players: 32, thinkMs: 500 });
    expect(parseLoadOptions(['gameday', '--rate', '2.5', '--ramp', '0', '--mix', '1,0,0'])).toMatchObject({
      rate: 2.5,
      rampSeconds: 0,
      mix: { lobby: 1, read: 0, hot: 0 },
    });
    expect(parseLoadOptions(['read', '--max-p99', '250', '--max-error-rate', '0.01', '--out', 'x'])).toMatchObject({
      maxP99Ms: 250,
      maxErrorRate: 0.01,
      out: 'x',
    });
    expect(parseLoadOptions(['--help'])).toBe('help');
  });

  it.each([
    [[], 'Name one scenario'],
    [['soak'], 'Unknown scenario "soak"'],
    [['lobby', 'hot'], 'Name one scenario'],
    [['lobby', '--duration', '0'], '--duration must be a whole number from 1 to 3600, not 0.'],
    [['lobby', '--duration', '1.5'], '--duration must be a whole number from 1 to 3600, not "1.5".'],
    [['lobby', '--players', 'many'], '--players must be a whole number from 1 to 5000, not "many".'],
    [['lobby', '--max-error-rate', '2'], '--max-error-rate must be a number from 0 to 1, not 2.'],
    [['gameday', '--mix', '1,2'], '--mix is three weights'],
    [['gameday', '--mix', '0,0,0'], '--mix needs at least one weight above 0.'],
    [['lobby', '--frobnicate'], "Unknown option '--frobnicate'"],
  ])('refuses %j: %s', (args, message) => {
    expect(() => parseLoadOptions(args)).toThrow(UsageError);
    expect(() => parseLoadOptions(args)).toThrow(message);
  });
});

describe('the target', () => {
  const noAws: CommandRunner = () => Promise.reject(new Error('the AWS CLI must not be called'));

  it.each(['127.0.0.1', '127.10.0.3', 'localhost', '[::1]'])('counts %s as this machine', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1', '[::2]'])('counts %s as elsewhere', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it('uses the local service with the development secret and its RTA endpoint by default', async () => {
    await expect(resolveTarget({ target: 'http://127.0.0.1:8080' }, noAws)).resolves.toEqual({
      baseUrl: 'http://127.0.0.1:8080',
      loopback: true,
      secret: DEVELOPMENT_TOKEN_SECRET,
      secretSource: 'development secret',
      rtaUrl: 'ws://127.0.0.1:8080/connect',
    });
  });

  it.each([
    [{ target: 'http://stage.example.com' }, 'must be https://'],
    [{ target: 'https://stage.example.com' }, 'needs its token secret: --secret <secret>, or --stack <name>'],
    [{ target: 'ftp://127.0.0.1' }, 'must be http:// or https://'],
    [{ target: 'not a url' }, 'must be a URL'],
    [{ target: 'https://stage.example.com?x=1', secret: 's' }, 'no query'],
  ])('refuses %j before sending anything', async (options, message) => {
    await expect(resolveTarget(options, noAws)).rejects.toThrow(UsageError);
    await expect(resolveTarget(options, noAws)).rejects.toThrow(message);
  });

  it('takes a stage with https and --secret; realtime then needs --rta-url or --stack', async () => {
    const target = await resolveTarget(
      { target: 'https://abc.execute-api.eu-west-1.amazonaws.com/', secret: 's3cret' },
      noAws,
    );
    expect(target).toEqual({
      baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      loopback: false,
      secret: 's3cret',
      secretSource: '--secret',
    });
  });

  it('reads the secret and the RTA URL from the stack outputs with the AWS CLI', async () => {
    const calls: string[][] = [];
    const aws: CommandRunner = async (command, args) => {
      calls.push([command, ...args]);
      if (args[0] === 'cloudformation') {
        return JSON.stringify([
          { OutputKey: 'ApiUrl', OutputValue: 'https://abc.execute-api.eu-west-1.amazonaws.com/' },
          { OutputKey: 'TokenSecretArn', OutputValue: 'arn:aws:secretsmanager:eu-west-1:1:secret:tok-AbCdEf' },
          { OutputKey: 'RealTimeUrl', OutputValue: 'wss://def.execute-api.eu-west-1.amazonaws.com/rta' },
        ]);
      }
      return 'the-stage-secret\n';
    };
    const target = await resolveTarget(
      { target: 'https://abc.execute-api.eu-west-1.amazonaws.com', stack: 'SessionDirectory', region: 'eu-west-1' },
      aws,
    );
    expect(target).toEqual({
      baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      loopback: false,
      secret: 'the-stage-secret',
      secretSource: 'stack SessionDirectory',
      rtaUrl: 'wss://def.execute-api.eu-west-1.amazonaws.com/rta',
    });
    expect(calls.map((c) => c.slice(0, 3))).toEqual([
      ['aws', 'cloudformation', 'describe-stacks'],
      ['aws', 'secretsmanager', 'get-secret-value'],
    ]);
    expect(calls[1]).toContain('arn:aws:secretsmanager:eu-west-1:1:secret:tok-AbCdEf');
    expect(calls[0]).toEqual(expect.arrayContaining(['--region', 'eu-west-1']));
  });

  it("refuses a target that is not the stack's API", async () => {
    const aws: CommandRunner = async () =>
      JSON.stringify([{ OutputKey: 'ApiUrl', OutputValue: 'https://other.execute-api.eu-west-1.amazonaws.com/' }]);
    await expect(
      resolveTarget({ target: 'https://abc.execute-api.eu-west-1.amazonaws.com', stack: 'SessionDirectory' }, aws),
    ).rejects.toThrow('is not the API of stack "SessionDirectory"');
  });
});

describe('the thresholds', () => {
  const op = (p99: number) => ({
    count: 10,
    ratePerSecond: 1,
    failures: 0,
    throttled: 0,
    latencyMs: { p50: 1, p95: 2, p99, max: p99, mean: 1 },
    statuses: { '200': 10 },
  });
  const totals = { requests: 100, ratePerSecond: 10, failures: 3, errorRate: 0.03, throttled: 0 };

  it('fail an operation whose p99 is above --max-p99 (taps are not requests) and an error rate above --max-error-rate', () => {
    const operations = { join: op(120), poll: op(80), 'shoulder-tap': op(900) };
    expect(thresholdFailures(operations, totals, {})).toEqual([]);
    expect(thresholdFailures(operations, totals, { maxP99Ms: 100, maxErrorRate: 0.05 })).toEqual([
      'join: p99 120 ms is above --max-p99 100 ms',
    ]);
    expect(thresholdFailures(operations, totals, { maxP99Ms: 200, maxErrorRate: 0.02 })).toEqual([
      'error rate 0.03 (3 of 100 requests) is above --max-error-rate 0.02',
    ]);
  });
});

describe('gameday arrivals', () => {
  it.each([
    [0, 10, 10, 0],
    [5, 10, 10, 12.5],
    [10, 10, 10, 50],
    [20, 10, 10, 150],
    [3, 4, 0, 12],
  ])('by %d s at rate %d ramping over %d s: %d', (t, rate, ramp, expected) => {
    expect(arrivalsBy(t, rate, ramp)).toBeCloseTo(expected);
  });
});
