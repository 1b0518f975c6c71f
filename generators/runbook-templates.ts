/**
 * The runbooks' Handlebars templates, in one place. They are TypeScript strings rather than .hbs files read at
 * generate time because generators are pure (only bin/ reads files), the bundled CLI then needs no template
 * files beside it, and `tsc` checks the context each template is rendered with (generators/runbooks.ts).
 * Markdown only: compiled with `noEscape`, since HTML escaping would turn `>` of an expression into `&gt;`.
 * A backslash at the end of a line continues it (a template literal's line continuation). Helpers: `codes`
 * writes a list as `a`, `b` (or with the separator given); `receivers` the receivers of an escalation list so.
 */

/** One alert's runbook: out/runbooks/<Alert>.md. */
export const RUNBOOK_TEMPLATE = `<!-- {{header}} -->
# {{alert}}

> {{summary}}

| Severity | Service | Fires after | Escalation |
|---|---|---|---|
| **{{severity}}** | {{serviceCell}} | {{for}} | {{receivers escalation}} |

## What it means

{{meaning}}
{{#if budgetNote}}

{{budgetNote}}
{{/if}}
{{#if slo}}

## Error budget and burn rates

Objective **{{slo.objective}}** over {{slo.period}}: an error budget of **{{slo.budget}}** of requests.

| Alert | Severity | Burn rate | Error ratio | Long window | Short window | Budget spent in the long window | \
Budget gone after |
|---|---|---|---|---|---|---|---|
{{#each slo.rows}}
| {{alert}} | {{severity}} | {{factor}} | > {{errorRatio}} | {{long}} | {{short}} | {{spent}} | {{exhausted}} |
{{/each}}

An alert fires when the error ratio is above a row's error ratio over both windows of that row. \
The recorded error ratios are {{slo.recorded}}.
{{/if}}
{{#if excludes.length}}

Services with an alert of their own on the same value are left out of this one (their own alert replaces it):
{{codes excludes}}.
{{/if}}
{{#if replaces.length}}

For \`{{service}}\` this alert replaces {{codes replaces}}, which leaves the service out.
{{/if}}

## Expression

\`\`\`promql
{{expr}}
\`\`\`
{{#if threshold}}

Fires when the value is **{{comparisonWords}} {{threshold}}** for {{for}} ({{thresholdNote}}).
{{/if}}

## Where to see it

Grafana, dashboard **{{dashboard.title}}** (uid \`{{dashboard.uid}}\`), panel **{{panel.title}}** (id {{panel.id}}):
open \`{{panel.path}}\` on your Grafana. The panel's description links back here.

## First checks

{{#each checks}}
1. {{this}}
{{/each}}

## Escalation

{{#each escalation}}
- {{#if which}}{{which}}: {{/if}}{{#if services}}For {{codes services}}: {{/if}}\
Alertmanager sends it to \`{{receiver}}\` ({{description}}), \
repeated every {{repeat}} while it fires.
{{/each}}
{{#each inhibitedBy}}
- Silenced while {{codes source " or "}} fires with the same {{codes equal}}: fix that first.
{{/each}}
{{#each inhibits}}
- While it fires, it silences {{codes target}} with the same {{codes equal}}.
{{/each}}

[All runbooks](README.md)
`;

/** The index of every runbook: out/runbooks/README.md, which a Git host shows for the folder. */
export const INDEX_TEMPLATE = `<!-- {{header}} -->
# Runbooks

One runbook per alert of {{platform}}, generated from platform.config.ts: what the alert means, its expression and
threshold, the dashboard panel that shows it, first checks and who it reaches. Every alert links its own through
its \`runbook_url\` annotation.

| Alert | Severity | Service | Reaches | Summary |
|---|---|---|---|---|
{{#each alerts}}
| [{{alert}}]({{file}}) | {{severity}} | {{serviceCell}} | {{receivers escalation}} | {{summary}} |
{{/each}}
`;
