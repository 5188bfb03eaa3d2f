import { test, expect, Page } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each device works on its own project of 平阳县教育局 (jiaoyu), both filed
// by the demo with a money history: the kindergarten (planned completion
// 2026-06-14, already moved +30 days; advance 10 % paid) and the 二中
// (2023-12-31 moved +45 days; advance 20 % paid).
const plan = {
  desktop: { project: '平阳县城西幼儿园新建工程', doc: '平教基〔2026〕88号', revised: '2026-08-03', advance: '2600000', voucher: 'E2E-ZF-D-01' },
  phone: { project: '平阳县第二中学教学楼扩建工程', doc: '平教基〔2026〕89号', revised: '2024-03-05', advance: '2500000', voucher: 'E2E-ZF-P-01' },
} as const;

function pdf() {
  const dir = mkdtempSync(join(tmpdir(), 'bhly-'));
  const file = join(dir, '批准文件.pdf');
  writeFileSync(file, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  return file;
}

async function filingId(page: Page, project: string): Promise<number> {
  const list = await (await page.request.post('/api/filings/projects')).json();
  return list.find((p: { label: string }) => p.label.startsWith(project)).id;
}

/** Uploads the required document and submits the record (plain forms). */
async function fileAndSubmit(page: Page, component: string) {
  await page.locator('#files input[name=file]').setInputFiles(pdf());
  await page.locator('#files').getByRole('button', { name: '上传' }).click();
  await expect(page).toHaveURL(/done=uploaded/);
  await hydrated(page, component);
  await page.getByRole('button', { name: '提交登记' }).click();
  await expect(page).toHaveURL(/done=submitted/);
  await hydrated(page, component);
}

test('an owner records a schedule change and sees the revised completion', async ({ page }) => {
  const p = plan[test.info().project.name as 'desktop' | 'phone'];
  await loggedIn(page, 'jiaoyu');
  const id = await filingId(page, p.project);
  await page.goto(`/changes/new?filing_id=${id}`);
  await hydrated(page, 'ChangeNewPage');
  await expect(page.locator('#f-filing_id')).toHaveValue(String(id));
  await page.getByLabel('变更类型').selectOption({ label: '工期变更' });
  await page.getByLabel('变更标题').fill('冬季混凝土养护延长工期');
  await page.getByLabel('责任方').selectOption({ label: '不可抗力' });
  await page.getByLabel('变更金额（元）').fill('0');
  // A schedule change without days is refused at the field.
  await page.getByLabel('工期变化（天）').fill('0');
  await page.getByLabel('审批机关').fill('平阳县教育局');
  await page.getByLabel('审批层级').selectOption('owner');
  await page.getByLabel('批准文号').fill(p.doc);
  await page.getByLabel('批准日期').fill('2026-11-20');
  await page.getByLabel('变更内容').fill('低温天气混凝土养护期延长，顺延工期 20 天。');
  await page.getByLabel('变更原因').fill('连续低温');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page.locator('#f-days_delta-err')).toContainText('天数');
  await page.getByLabel('工期变化（天）').fill('20');
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/changes\/\d+\?done=saved/);
  await hydrated(page, 'ChangePage');
  await expect(page.getByRole('status').first()).toHaveText('已保存');
  await fileAndSubmit(page, 'ChangePage');
  const figures = page.getByRole('region', { name: '合同金额' });
  await expect(figures).toContainText(p.revised);
  await expect(page.locator('.summary')).toContainText('已登记');
  // The project's changes list shows it; the filing page shows the revised date too.
  await page.goto(`/filings/${id}`);
  await hydrated(page, 'FilingPage');
  await expect(page.getByRole('region', { name: '合同金额' })).toContainText(p.revised);
});

test('an owner records an advance payment over 30 % and sees it flagged', async ({ page }) => {
  const p = plan[test.info().project.name as 'desktop' | 'phone'];
  await loggedIn(page, 'jiaoyu');
  const id = await filingId(page, p.project);
  await page.goto(`/payments/new?filing_id=${id}`);
  await hydrated(page, 'PaymentNewPage');
  await expect(page.getByLabel('收款单位')).not.toHaveValue('');
  await page.getByLabel('拨付类型').selectOption({ label: '预付款' });
  await page.getByLabel('拨付日期').fill('2026-11-25');
  await page.getByLabel('拨付金额（元）').fill(p.advance);
  await page.getByLabel('凭证号').fill(p.voucher);
  await page.getByRole('button', { name: '保存草稿' }).click();
  await expect(page).toHaveURL(/\/payments\/\d+\?done=saved/);
  await hydrated(page, 'PaymentPage');
  await fileAndSubmit(page, 'PaymentPage');
  await expect(page.locator('.summary .badge-bad', { hasText: '预付款超比例' })).toBeVisible();
  // Listed with its flag, and exported.
  await page.goto(`/payments?filing_id=${id}&status=flagged`);
  await hydrated(page, 'PaymentsPage');
  await expect(page.locator('.data-table')).toContainText('预付款超比例');
  const link = page.getByRole('link', { name: '导出 Excel' });
  await expect(link).toHaveAttribute('href', `/export/payments.xlsx?filing_id=${id}&status=flagged`);
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^资金拨付-\d{8}\.xlsx$/);
});

test('a supervisor sees the revised totals and the alerts in scope', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/payments?status=flagged');
  await hydrated(page, 'PaymentsPage');
  await expect(page.locator('.data-table')).toContainText('累计拨付超合同价');
  await expect(page.getByRole('link', { name: '登记拨付' })).toHaveCount(0);
  // Many rules have open alerts in the demo: this one by its filter.
  await page.goto('/alerts?rule=change_large');
  await hydrated(page, 'AlertsPage');
  await expect(page.locator('.data-table')).toContainText('大额变更未经上级审批');
});
