/**
 * `platform report` prints sections in order, each as text for a terminal or as Markdown for a pull request's job
 * summary. A section is a pure function of one environment: its resolved config and its final objects.
 */
import type { BundleEnvironment } from "../model/environments.ts";

export interface ReportSection {
  title: string;
  text(env: BundleEnvironment): string;
  markdown(env: BundleEnvironment): string;
}
