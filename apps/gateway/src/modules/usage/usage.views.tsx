import { Temporal } from 'temporal-polyfill';
import { ErrorSummary, type FieldErrors, SummaryList } from '../../platform/web/components.tsx';
import { FileField } from '../../platform/web/form-fields.tsx';
import type { PageContext } from '../../platform/web/layout.tsx';
import { AdminPage } from '../admin/admin.views.tsx';
import { sizeText } from '../catalogue/sizes.ts';
import type { ChangeOptions } from '../orders/change-orders.service.ts';
import { changePath } from '../orders/change-orders.views.tsx';
import { formatDay } from '../quotes/quote-rules.ts';
import { type ImportResult, type LicenceUsage, usageSentence, warningSentence } from './usage.service.ts';
import { BYTES_PER_TB, formatTb, isNearQuota, type ProjectReading, usedPercent } from './usage-readings.ts';

/**
 * The chart's two drawings: an SVG scales with its box, text and all, so one drawing 640 units wide
 * squeezed into a 320 px screen had 5 px labels (WCAG 1.4.4, 1.4.10). The narrow one, shown on small
 * screens (site.css .usage-chart), is drawn 300 units wide with fewer labels, so that its text stays
 * at 12 px or more down to a 288 px box; the wide one is shown from 48em. The one not shown is
 * display: none, so screen readers meet the chart once; each has ids of its own.
 */
interface ChartLayout {
  id: string;
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  fontSize: number;
  /** The shares of the size drawn as lines, with their labels. */
  shares: number[];
  /** A month label on every nth month start. */
  monthEvery: number;
}

const WIDE: ChartLayout = {
  id: 'usage-chart',
  width: 640,
  height: 260,
  plot: { left: 64, right: 24, top: 16, bottom: 40 },
  fontSize: 12,
  shares: [0, 0.25, 0.5, 0.75, 1],
  monthEvery: 1,
};

const NARROW: ChartLayout = {
  id: 'usage-chart-narrow',
  width: 300,
  height: 240,
  plot: { left: 60, right: 8, top: 16, bottom: 36 },
  fontSize: 13,
  shares: [0, 0.5, 1],
  monthEvery: 3,
};

/** The size line, dashed: #505a5f on white is 7:1 (WCAG 1.4.11 asks 3:1 of a graph's parts); the grid stays light. */
const SIZE_LINE = '#505a5f';
const GRID_LINE = '#b1b4b6';
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The licence's usage over the last 12 months: a line chart drawn on the server as SVG (no
 * script) with its size and the near-quota threshold, the latest usage and the threshold in a
 * sentence, and every reading in a table for anyone who cannot see the chart. A licence whose
 * latest usage is at the threshold or over its size says so first, with a link to increase its
 * size where the person may (`increaseHref`).
 */
export function UsageSection({
  usage,
  sizeTb,
  increaseHref,
}: {
  usage: LicenceUsage;
  sizeTb: number;
  increaseHref?: string;
}) {
  const latest = usage.points.at(-1);
  return (
    <section aria-labelledby="usage">
      <h2 id="usage">Usage</h2>
      {latest ? (
        <NearQuotaNotice
          usedBytes={latest.usedBytes}
          day={latest.day}
          sizeTb={sizeTb}
          warningPercent={usage.warningPercent}
          increaseHref={increaseHref}
        />
      ) : null}
      {latest ? (
        <figure class="usage-chart">
          <UsageChart usage={usage} sizeTb={sizeTb} layout={WIDE} />
          <UsageChart usage={usage} sizeTb={sizeTb} layout={NARROW} />
          <figcaption>
            {usageSentence(latest.usedBytes, sizeTb, latest.day)}. {warningSentence(usage.warningPercent, sizeTb)}.
          </figcaption>
        </figure>
      ) : (
        <p>The storage system has reported no usage for this licence in the last 12 months.</p>
      )}
      {latest ? (
        <details>
          <summary>The {usage.points.length === 1 ? 'reading' : `${usage.points.length} readings`} as a table</summary>
          <table>
            <caption class="visually-hidden">
              Usage of this licence, oldest first. {warningSentence(usage.warningPercent, sizeTb)}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Used</th>
                <th scope="col">Of the size</th>
              </tr>
            </thead>
            <tbody>
              {usage.points.map((point) => (
                <tr key={point.day}>
                  <td>
                    <time dateTime={point.day}>{formatDay(point.day)}</time>
                  </td>
                  <td>{formatTb(point.usedBytes)}</td>
                  <td>{usedPercent(point.usedBytes, sizeTb)}%</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </section>
  );
}

/** Where the near-quota notice sends a Data Owner or Data Manager: the increase, when the licence takes one now. */
export function increaseSizeHref(changeOrders: ChangeOptions | undefined): string | undefined {
  if (!changeOrders || changeOrders.problem || !changeOrders.kinds.includes('increase')) return undefined;
  return changePath(changeOrders.licence.id, 'increase');
}

/**
 * "This licence is nearly full" at the near-quota threshold (the email's news, on the page), or
 * "full" at 100% and over, where nothing more can be written; nothing below the threshold.
 */
function NearQuotaNotice({
  usedBytes,
  day,
  sizeTb,
  warningPercent,
  increaseHref,
}: {
  usedBytes: number;
  day: string;
  sizeTb: number;
  warningPercent: number;
  increaseHref?: string;
}) {
  if (!isNearQuota(usedBytes, sizeTb, warningPercent)) return null;
  const full = isNearQuota(usedBytes, sizeTb, 100);
  return (
    <p class="notice notice--warning" role="status">
      {full
        ? `This licence is full: ${usageSentence(usedBytes, sizeTb, day)}. Nothing more can be written to it.`
        : `This licence is nearly full: ${usageSentence(usedBytes, sizeTb, day)}, at or over the ${warningPercent}% at which its Data Owner and Data Managers are warned.`}
      {increaseHref ? (
        <>
          {' '}
          <a href={increaseHref}>Increase its size</a>, or make room by removing data.
        </>
      ) : null}
    </p>
  );
}

function UsageChart({ usage, sizeTb, layout }: { usage: LicenceUsage; sizeTb: number; layout: ChartLayout }) {
  const { id, width, height, plot, fontSize } = layout;
  const from = Temporal.PlainDate.from(usage.from);
  const days = from.until(Temporal.PlainDate.from(usage.to)).days || 1;
  const sizeBytes = sizeTb * BYTES_PER_TB;
  const top = Math.max(sizeBytes, ...usage.points.map((p) => p.usedBytes)) * 1.1 || 1;
  const plotWidth = width - plot.left - plot.right;
  const plotHeight = height - plot.top - plot.bottom;
  const x = (day: string) => plot.left + (from.until(Temporal.PlainDate.from(day)).days / days) * plotWidth;
  const y = (bytes: number) => plot.top + plotHeight - (bytes / top) * plotHeight;
  const round = (n: number) => Math.round(n * 10) / 10;
  const first = usage.points[0];
  const last = usage.points.at(-1);
  const months = monthStarts(usage.from, usage.to).filter((_, index) => index % layout.monthEvery === 0);
  const line = usage.points.map((p) => `${round(x(p.day))},${round(y(p.usedBytes))}`).join(' ');
  const warningY = round(y((sizeBytes * usage.warningPercent) / 100));
  return (
    <svg
      class={`usage-chart__${id === WIDE.id ? 'wide' : 'narrow'}`}
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="img"
      aria-labelledby={`${id}-title ${id}-desc`}
      xmlns="http://www.w3.org/2000/svg"
    >
      <title id={`${id}-title`}>Usage over the last 12 months</title>
      <desc id={`${id}-desc`}>
        {first && last
          ? `From ${formatTb(first.usedBytes)} on ${formatDay(first.day)} to ${formatTb(last.usedBytes)} on ${formatDay(last.day)}, of a size of ${sizeText(sizeTb)}. ${warningSentence(usage.warningPercent, sizeTb)}.`
          : ''}
      </desc>
      {layout.shares.map((share) => (
        <g key={share}>
          <line
            class={share === 1 ? 'usage-size' : undefined}
            x1={plot.left}
            x2={width - plot.right}
            y1={round(y(sizeBytes * share))}
            y2={round(y(sizeBytes * share))}
            stroke={share === 1 ? SIZE_LINE : GRID_LINE}
            stroke-width={share === 1 ? 2 : 1}
            stroke-dasharray={share === 1 ? '6 4' : undefined}
          />
          <text
            x={plot.left - 8}
            y={round(y(sizeBytes * share)) + 4}
            text-anchor="end"
            font-size={fontSize}
            fill="#0b0c0c"
          >
            {formatTb(sizeBytes * share)}
          </text>
        </g>
      ))}
      <text x={width - plot.right} y={round(y(sizeBytes)) - 6} text-anchor="end" font-size={fontSize} fill="#0b0c0c">
        Size {sizeText(sizeTb)}
      </text>
      <line
        class="usage-warning"
        x1={plot.left}
        x2={width - plot.right}
        y1={warningY}
        y2={warningY}
        stroke="#d4351c"
        stroke-width="2"
        stroke-dasharray="3 3"
      />
      {/* At the left, so it never covers the size's label even at 100% */}
      <text x={plot.left + 6} y={warningY - 6} font-size={fontSize} fill="#0b0c0c">
        Warning at {usage.warningPercent}%
      </text>
      {months.map((month) => (
        <text
          key={month.day}
          x={round(x(month.day))}
          y={height - plot.bottom + 20}
          text-anchor="middle"
          font-size={fontSize}
          fill="#0b0c0c"
        >
          {month.label}
        </text>
      ))}
      <polyline points={line} fill="none" stroke="#1d70b8" stroke-width="3" />
      {usage.points.length <= 60
        ? usage.points.map((p) => (
            <circle key={p.day} cx={round(x(p.day))} cy={round(y(p.usedBytes))} r="3.5" fill="#1d70b8" />
          ))
        : null}
    </svg>
  );
}

/** The first day of each month in the range, labelled "Jan" (with the year on January). */
function monthStarts(from: string, to: string): Array<{ day: string; label: string }> {
  const end = Temporal.PlainDate.from(to);
  let month = Temporal.PlainDate.from(from).with({ day: 1 });
  const starts: Array<{ day: string; label: string }> = [];
  while (Temporal.PlainDate.compare(month, end) <= 0) {
    if (Temporal.PlainDate.compare(month, Temporal.PlainDate.from(from)) >= 0) {
      const name = MONTHS[month.month - 1] ?? '';
      starts.push({ day: month.toString(), label: month.month === 1 ? `${name} ${month.year}` : name });
    }
    month = month.add({ months: 1 });
  }
  return starts;
}

/** A project's latest usage beside its quota: "4.1 TB (82%) on 20 November 2026". */
export function projectUsageText(reading: ProjectReading | undefined, quotaTb: number): string {
  if (!reading) return 'Not reported';
  return `${formatTb(reading.usedBytes)} (${usedPercent(reading.usedBytes, quotaTb)}%) on ${formatDay(reading.readOn)}`;
}

export const USAGE_ADMIN_PATH = '/admin/usage/';

/** Back office: upload a storage system's usage report (CSV), then what became of each row. */
export function UsageImportPage({
  context,
  errors,
  result,
}: {
  context: PageContext;
  errors?: FieldErrors;
  result?: ImportResult;
}) {
  const failed = Boolean(errors && Object.values(errors).some(Boolean));
  const action = `${USAGE_ADMIN_PATH}?_csrf=${encodeURIComponent(context.csrfToken ?? '')}`;
  const shown = result?.rejected.slice(0, MAX_REJECTIONS_SHOWN) ?? [];
  return (
    <AdminPage
      context={context}
      title={`${failed ? 'Error: ' : ''}${result ? 'Usage readings imported' : 'Import usage readings'}`}
      section={USAGE_ADMIN_PATH}
    >
      {errors ? <ErrorSummary errors={errors} /> : null}
      <h1>{result ? 'Usage readings imported' : 'Import usage readings'}</h1>
      {result ? (
        <>
          <SummaryList
            rows={[
              ['Rows read', String(result.read)],
              ['New readings stored', String(result.added)],
              ['Readings replaced with a new value', String(result.changed)],
              ['Readings already stored', String(result.unchanged)],
              ['Rows rejected', String(result.rejected.length)],
            ]}
          />
          {shown.length > 0 ? (
            <section aria-labelledby="rejected">
              <h2 id="rejected">Rows rejected</h2>
              <p>These rows were not stored; every other row was. Correct them and import the file again.</p>
              <table>
                <caption class="visually-hidden">Rejected rows, by line</caption>
                <thead>
                  <tr>
                    <th scope="col">Line</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {shown.map((rejection) => (
                    <tr key={rejection.line}>
                      <td>{rejection.line}</td>
                      <td>{rejection.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {result.rejected.length > shown.length ? (
                <p>… and {result.rejected.length - shown.length} more rows rejected.</p>
              ) : null}
            </section>
          ) : null}
          <p>
            <a href={USAGE_ADMIN_PATH}>Import another file</a>
          </p>
        </>
      ) : null}
      {result ? null : (
        <form method="post" action={action} enctype="multipart/form-data" novalidate>
          <p>
            A CSV file from a storage system, with a header row naming the columns <code>path</code> (the storage
            project's path on the storage system), <code>read_on</code> (the day, as YYYY-MM-DD) and{' '}
            <code>used_bytes</code> (a whole number of bytes). Readings for a project and day already stored are
            replaced. Rows with a problem are listed afterwards and the rest are stored; a file that cannot be read as
            CSV is refused whole.
          </p>
          <FileField name="usageFile" label="Usage report (CSV)" accept=".csv,text/csv" error={errors?.usageFile} />
          <button type="submit">Import</button>
        </form>
      )}
    </AdminPage>
  );
}

/** The result page lists at most this many rejected rows. */
export const MAX_REJECTIONS_SHOWN = 500;
