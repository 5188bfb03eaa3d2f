import { test, expect, Page } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function pdf() {
  const file = join(mkdtempSync(join(tmpdir(), 'bhly-')), '整改说明.pdf');
  writeFileSync(file, '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  return file;
}

// 督办, the closed loop. Desktop: the resource office turns the bridge's
// free 价格偏离 alert into an order; 交通发展 answers; the order is sent back,
// answered again and closed; the timeline shows every step. Phone: 交通发展
// answers the demo's open order on the same bridge at 360 px.

async function as(page: Page, user: string) {
  await page.context().clearCookies();
  await loggedIn(page, user);
}

async function step(page: Page, id: string, fill: Record<string, string>, button: string) {
  const card = page.locator(`#step-${id}`);
  for (const [label, value] of Object.entries(fill)) await card.getByLabel(label).fill(value);
  await card.getByRole('button', { name: button }).click();
  await expect(page).toHaveURL(new RegExp(`done=${id}`));
  await hydrated(page, 'OrderPage');
}

test('a supervisor orders, the owner answers, the order is sent back and closed', async ({ page }) => {
  test.skip(test.info().project.name !== 'desktop', 'the phone answers the demo order below');
  await loggedIn(page, 'zgb');
  await page.goto('/alerts?rule=price_deviation&state=open');
  await hydrated(page, 'AlertsPage');
  await page.getByRole('link', { name: '转督办' }).first().click();
  await expect(page).toHaveURL(/\/orders\/new\?filing_id=\d+&alert=\d+/);
  await hydrated(page, 'OrderNewPage');
  await expect(page.locator('.alert-picks')).toContainText('合同价偏离中标价');
  await page.getByLabel('整改要求').fill('请说明合同价高于中标价 21.5% 的原因，并提供审批材料。');
  await page.getByRole('button', { name: '下发督办' }).click();
  await expect(page).toHaveURL(/\/orders\/\d+\?done=issued/);
  await hydrated(page, 'OrderPage');
  const url = page.url().replace(/\?.*$/, '');
  const sheet = page.locator('.order-sheet');
  await expect(sheet).toContainText(/平资督〔\d{4}〕\d+号/);
  await expect(sheet).toContainText('待反馈');

  await as(page, 'jtfz');
  await page.goto(url);
  await hydrated(page, 'OrderPage');
  // The owner sees the orders waiting for it beside 督办 in the navigation.
  await expect(page.locator('.sidenav a[href="/orders"] .nav-count')).toHaveText(/^[1-9]\d*$/);
  // An empty answer is refused at the field.
  await page.locator('#step-answer').getByRole('button', { name: '提交反馈' }).click();
  await expect(page.locator('#step-answer .field-error').first()).toContainText('请填写整改情况');
  // The answer's document (a plain multipart form).
  await page.locator('#files input[name=file]').setInputFiles(pdf());
  await page.locator('#files').getByRole('button', { name: '上传', exact: true }).click();
  await expect(page).toHaveURL(/done=uploaded/);
  await hydrated(page, 'OrderPage');
  await expect(page.locator('#files')).toContainText('整改说明.pdf');
  await step(page, 'answer', { 整改情况: '合同价含暂列金额 150 万元，已附招标文件说明。' }, '提交反馈');
  await expect(sheet).toContainText('已反馈');
  await expect(page.locator('#step-close')).toHaveCount(0);

  await as(page, 'zgb');
  await page.goto(url);
  await hydrated(page, 'OrderPage');
  const soon = new Date(Date.now() + 7 * 86400_000).toISOString().slice(0, 10);
  await step(page, 'return', { 退回理由: '未附审批材料，请补充。', 新的办理期限: soon }, '退回');
  await expect(sheet).toContainText('已退回');

  await as(page, 'jtfz');
  await page.goto(url);
  await hydrated(page, 'OrderPage');
  await step(page, 'answer', { 整改情况: '已补充县财政局审批意见。' }, '提交反馈');

  await as(page, 'zgb');
  await page.goto(url);
  await hydrated(page, 'OrderPage');
  await step(page, 'close', { 办结意见: '材料齐全，予以办结。' }, '办结');
  await expect(sheet).toContainText('已办结');
  const timeline = page.locator('.order-sheet .timeline');
  for (const label of ['下发督办', '反馈', '退回', '办结']) await expect(timeline).toContainText(label);
  await expect(timeline.locator('li')).toHaveCount(5);
  await expect(page.locator('.order-forms .step-card')).toHaveCount(0);
});

test('an owner answers an order on the phone', async ({ page }) => {
  test.skip(test.info().project.name !== 'phone', 'desktop runs the whole loop above');
  await loggedIn(page, 'jtfz');
  // The demo's order from 交通运输局 on the bridge (the desktop run adds one
  // of its own from the resource office).
  const list = await (await page.request.post('/api/orders/list', { form: { state: 'issued' } })).json();
  const order = list.page.items.find((o: { issuer: string }) => o.issuer === '平阳县交通运输局');
  await page.goto('/orders?state=issued');
  await hydrated(page, 'OrdersPage');
  await page.getByRole('link', { name: order.order_no }).click();
  await hydrated(page, 'OrderPage');
  await expect(page.locator('.order-sheet')).toContainText('合同签订超期');
  await step(page, 'answer', { 整改情况: '签订延迟系施工单位资质证书换证所致，说明材料已上传。' }, '提交反馈');
  await expect(page.locator('.order-sheet')).toContainText('已反馈');
});
