import { test, expect } from '@playwright/test';
import { hydrated, idNumber, loggedIn } from './helpers';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Each device project files its own demo award of 平阳县城市建设开发中心.
const plan = {
  desktop: { award: '萧江镇污水管网改造工程', contractNo: 'PYXJ-2023-011', signed: '2023-05-10', mobiles: ['13857701001', '13857701002'], ids: ['33032619800101301', '33032619850202302'] },
  phone: { award: '平阳县人民医院门诊楼改造工程', contractNo: 'PYRM-2024-118', signed: '2024-07-05', mobiles: ['13857702001', '13857702002'], ids: ['33032619800101401', '33032619850202402'] },
} as const;

function files() {
  const dir = mkdtempSync(join(tmpdir(), 'bhly-'));
  const pdf = join(dir, '合同扫描件.pdf');
  writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const fake = join(dir, '伪装的合同.pdf');
  writeFileSync(fake, 'This is a plain text file renamed to .pdf');
  return { pdf, fake };
}

test('an administrator imports the sample XLSX and sees the report', async ({ page }) => {
  await loggedIn(page, 'admin');
  await page.goto('/awards/import');
  await hydrated(page, 'AwardImportPage');
  await page.locator('input[name=file]').setInputFiles('../public/samples/awards.xlsx');
  await page.getByRole('button', { name: '上传并导入' }).click();
  await expect(page).toHaveURL(/\/awards\/imports\/\d+$/);
  await expect(page.locator('.stat').first()).toContainText('6');
  await expect(page.getByRole('status')).toHaveText('全部行已导入');
  await page.goto('/awards?q=PY2025-0301');
  await expect(page.locator('.data-table')).toContainText('平阳县城东片区道路提升改造工程');
});

test('an owner files a contract with two key personnel and a PDF', async ({ page }) => {
  const p = plan[test.info().project.name as 'desktop' | 'phone'];
  const { pdf, fake } = files();
  await loggedIn(page, 'chengjian');
  await page.goto('/filings');
  await hydrated(page, 'FilingsPage');
  await expect(page.locator('.pending')).toContainText(p.award);
  await page.locator('.pending tr', { hasText: p.award }).getByRole('button', { name: '开始备案' }).click();
  await expect(page).toHaveURL(/\/filings\/\d+$/);
  await hydrated(page, 'FilingPage');
  const filingUrl = page.url();

  // A wrong duration is refused at its field; then the right values save.
  await page.getByLabel('合同编号').fill(p.contractNo);
  await page.getByLabel('合同签订日期').fill(p.signed);
  await page.getByLabel('合同价（元）').fill('8950000');
  await page.getByLabel('工期（日历天）').fill('30');
  await page.getByLabel('计划开工日期').fill('2024-08-01');
  await page.getByLabel('计划竣工日期').fill('2025-05-26');
  await page.getByLabel('付款方式').fill('预付款 10%，按月进度款 75%，结算后付至 97%');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page.locator('#f-duration_days-err')).toContainText('应为 299 天');
  await page.getByLabel('工期（日历天）').fill('299');
  await page.getByRole('button', { name: '保存', exact: true }).click();
  await expect(page).toHaveURL(/saved=1/);
  await expect(page.getByRole('status').first()).toHaveText('已保存');
  await hydrated(page, 'FilingPage');

  // Two key personnel; the project manager gets a login to hand over.
  const roster = page.locator('#roster');
  const add = async (role: string, name: string, id: string, mobile: string, cert: string) => {
    await roster.getByLabel('岗位').selectOption(role);
    await roster.getByLabel('姓名').fill(name);
    await roster.getByLabel('身份证号').fill(id);
    await roster.getByLabel('手机号').fill(mobile);
    await roster.getByLabel('注册证书编号').fill(cert);
    await roster.getByRole('button', { name: '添加' }).click();
  };
  await add('pm', '赵建国', idNumber(p.ids[0]).slice(0, 17) + 'Q', p.mobiles[0], '浙233060800123');
  await expect(page.locator('#f-id_number-err')).toContainText('校验位');
  await add('pm', '赵建国', idNumber(p.ids[0]), p.mobiles[0], '浙233060800123');
  await expect(roster.getByRole('status')).toContainText('激活码');
  await expect(roster.locator('.data-table')).toContainText('赵建国');
  await add('safety_officer', '钱安全', idNumber(p.ids[1]), p.mobiles[1], '');
  await expect(roster.locator('.data-table')).toContainText('钱安全');
  await expect(roster.locator('.data-table')).toContainText('********');

  // A text file named .pdf is refused by its content; a real PDF is kept.
  const attachments = page.locator('#attachments');
  await attachments.getByLabel('附件类型').selectOption('contract');
  await attachments.locator('input[name=file]').setInputFiles(fake);
  await attachments.getByRole('button', { name: '上传' }).click();
  await expect(page.locator('#f-file-err')).toContainText('不是 PDF');
  // Each upload reloads the page: the next one starts on the new page
  // (the second used to be chosen on the page being replaced, and was lost).
  for (const [kind, label] of [['contract', '合同扫描件'], ['award_notice', '中标通知书']]) {
    await hydrated(page, 'FilingPage');
    await page.locator('#attachments').getByLabel('附件类型').selectOption(kind);
    await page.locator('#attachments input[name=file]').setInputFiles(pdf);
    await page.locator('#attachments').getByRole('button', { name: '上传' }).click();
    await expect(page.locator('#attachments .data-table')).toContainText(label);
  }
  await expect(page).toHaveURL(/uploaded=1/);

  await hydrated(page, 'FilingPage');
  await page.getByRole('button', { name: '提交备案' }).click();
  await expect(page).toHaveURL(/submitted=1/);
  await expect(page.locator('.summary')).toContainText('已备案');
  const history = page.getByRole('region', { name: '变更记录' });
  await expect(history).toContainText('提交备案');
  await expect(history).toContainText('添加关键人员');
  await expect(history).toContainText('上传附件');

  await page.goto('/filings?status=submitted');
  await expect(page.locator('.data-table').last()).toContainText(p.contractNo);

  // Another unit's user opening the same URL is refused.
  await page.context().clearCookies();
  await loggedIn(page, 'jiaoyu');
  const r = await page.goto(filingUrl);
  expect(r?.status()).toBe(403);
  await expect(page.getByText('无权访问')).toBeVisible();
  await expect(page.getByText(p.contractNo)).toHaveCount(0);
});
