// The dashboard, the console's home: what the service is doing — sign-ins, failures and throttling,
// tokens issued, sessions open — per time bucket, from GET /admin/v1/stats (counted in the database
// from the audit trail, sign-ins and sessions). Administrators see their tenant; operators the whole
// platform or one tenant. Refreshed every minute while open.
import { useEffect, useState } from 'preact/hooks';
import { api, ok } from '../../api/client.js';
import { profile } from '../../auth/profile.js';
import { ErrorNote, Page, TenantPicker, useLoad } from '../../components/ui.js';
import { PasskeysOff, passkeySupport } from '../Passkeys/index.js';
import { Chart, type Point } from './Chart.js';

const RANGES = [
  { since: '1h', bucket: '5m', label: 'Last hour', per: 'per 5 minutes' },
  { since: '24h', bucket: '1h', label: 'Last 24 hours', per: 'per hour' },
  { since: '7d', bucket: '6h', label: 'Last 7 days', per: 'per 6 hours' },
  { since: '30d', bucket: '1d', label: 'Last 30 days', per: 'per day' },
] as const;
const REFRESH_MS = 60_000;

export function Dashboard() {
  const me = profile();
  const operator = me.level === 'operator';
  // Only operators can change the server's address: they are told on their home page.
  const passkeys = useLoad(passkeySupport, []);
  const [range, setRange] = useState<(typeof RANGES)[number]>(RANGES[1]);
  const [tenantId, setTenantId] = useState('');
  const [tick, setTick] = useState(0);
  const tenants = useLoad(async () =>
    operator ? ok(await api.GET('/admin/v1/tenants', { params: { query: { limit: 200 } } })).items : [],
  );
  const stats = useLoad(
    async () =>
      ok(
        await api.GET('/admin/v1/stats', {
          params: {
            query: { since: range.since, bucket: range.bucket, ...(tenantId ? { tenantId } : {}) },
          },
        }),
      ),
    [range, tenantId, tick],
  );
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, []);

  const s = stats.data;
  const points: Point[] = (s?.buckets ?? []).map((b) => ({
    at: Date.parse(b.start),
    sign_ins: b.sign_ins,
    failures: b.failures,
    throttled: b.throttled,
    tokens_issued: b.tokens_issued,
    active_sessions: b.active_sessions,
  }));
  // Times within a day name the weekday too, so "22:00" yesterday and today differ.
  const label = (at: number) =>
    new Date(at).toLocaleString(
      undefined,
      range.since === '1h'
        ? { hour: '2-digit', minute: '2-digit' }
        : range.since === '24h'
          ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
          : range.bucket === '1d'
            ? { month: 'short', day: 'numeric' }
            : { month: 'short', day: 'numeric', hour: '2-digit' },
    );
  const scope = operator
    ? tenantId
      ? (tenants.data?.find((t) => t.id === tenantId)?.name ?? 'one tenant')
      : 'the whole platform'
    : 'your tenant';
  const now = points.at(-1)?.active_sessions ?? 0;
  return (
    <Page title="Dashboard" intro={`What the service is doing for ${scope}.`}>
      {operator && passkeys.data && !passkeys.data.rpId && <PasskeysOff support={passkeys.data} />}
      <form class="filters" aria-label="Dashboard range" onSubmit={(e) => e.preventDefault()}>
        <label>
          Period
          <select
            value={range.since}
            onChange={(e) => setRange(RANGES.find((r) => r.since === e.currentTarget.value) ?? RANGES[1])}
          >
            {RANGES.map((r) => (
              <option key={r.since} value={r.since}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {operator && (
          <TenantPicker tenants={tenants.data} value={tenantId} onChange={setTenantId} all="All tenants" />
        )}
        <button
          type="button"
          class="secondary"
          onClick={() => setTick((t) => t + 1)}
          disabled={stats.loading}
        >
          Refresh
        </button>
      </form>
      <ErrorNote error={stats.error} />
      {s && (
        <>
          <ul class="tiles" aria-label={`Totals, ${range.label.toLowerCase()}`}>
            <li>
              <span class="tile-value">{s.totals.sign_ins}</span> sign-ins
            </li>
            <li>
              <span class="tile-value">{s.totals.tokens_issued}</span> tokens issued
            </li>
            <li class={s.totals.failures > 0 ? 'warn' : undefined}>
              <span class="tile-value">{s.totals.failures}</span> failures
            </li>
            <li class={s.totals.throttled > 0 ? 'warn' : undefined}>
              <span class="tile-value">{s.totals.throttled}</span> throttled
            </li>
            <li>
              <span class="tile-value">{now}</span> sessions open now
            </li>
          </ul>
          <div class="charts">
            <Chart
              id="chart-sign-ins"
              title={`Sign-ins ${range.per}`}
              unit={range.per}
              kind="bars"
              series={[{ key: 'sign_ins', label: 'Sign-ins', tone: 'one' }]}
              points={points}
              label={label}
            />
            <Chart
              id="chart-tokens"
              title={`Tokens issued ${range.per}`}
              unit={range.per}
              kind="bars"
              series={[{ key: 'tokens_issued', label: 'Tokens issued', tone: 'one' }]}
              points={points}
              label={label}
            />
            <Chart
              id="chart-failures"
              title={`Failures and throttling ${range.per}`}
              unit={range.per}
              kind="bars"
              series={[
                { key: 'failures', label: 'Failures', tone: 'two' },
                { key: 'throttled', label: 'Throttled', tone: 'one' },
              ]}
              points={points}
              label={label}
            />
            <Chart
              id="chart-sessions"
              title="Sessions open"
              unit="at the end of each period"
              kind="line"
              series={[{ key: 'active_sessions', label: 'Sessions open', tone: 'one' }]}
              points={points}
              label={label}
            />
          </div>
          <p class="hint">
            Failures are refused client secrets, access keys and grants; throttled counts the delays they
            started. Counted from the audit trail, sign-ins and sessions kept in the database.
          </p>
        </>
      )}
    </Page>
  );
}
