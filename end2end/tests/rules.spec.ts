import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// 预警规则: the administrator changes a threshold (a bad value is refused at
// the field), sees it in force, and puts the default back; a supervisor
// reads the rules and their basis without the forms.
test('an administrator sets a rule threshold; a supervisor reads the rules', async ({ page }) => {
  await loggedIn(page, 'admin');
  await page.goto('/admin/rules');
  await hydrated(page, 'RulesPage');
  const card = page.locator('#rule-signed_late');
  await expect(card).toContainText('招标投标法');
  const input = card.getByLabel('签订期限 (天)');
  await input.fill('三十');
  await card.getByRole('button', { name: '保存' }).click();
  await expect(card.locator('.field-error')).toContainText('签订期限须为数字');
  await input.fill('400');
  await card.getByRole('button', { name: '保存' }).click();
  await expect(card.locator('.field-error')).toContainText('须在 1–365 天 之间');
  await input.fill('45');
  await card.getByRole('button', { name: '保存' }).click();
  await expect(card).toContainText('已保存');
  await expect(card).toContainText('现行阈值：签订期限 45 天');
  // Back to the default (the form now carries the new version).
  await hydrated(page, 'RulesPage');
  await card.getByLabel('签订期限 (天)').fill('30');
  await card.getByRole('button', { name: '保存' }).click();
  await expect(card).toContainText('现行阈值：签订期限 30 天');

  await page.context().clearCookies();
  await loggedIn(page, 'zgb');
  await page.goto('/admin/rules');
  await hydrated(page, 'RulesPage');
  await expect(page.locator('#rule-advance_over')).toContainText('建设工程价款结算暂行办法');
  await expect(page.locator('#rule-advance_over')).toContainText('预付款上限 30 %');
  await expect(page.locator('input[name=p1]')).toHaveCount(0);
  await expect(page.locator('input[name=auto_order]')).toHaveCount(0);
});

// An award not filed 30 days after its notice: the alert names the award
// (no project yet), marked 待备案 and linked to the award list; a
// supervisor turns it into an order to file the contract.
test('an award not filed in time is listed, linked and ordered', async ({ page }) => {
  await loggedIn(page, 'zgb');
  await page.goto('/alerts?rule=award_unfiled&state=open');
  await hydrated(page, 'AlertsPage');
  const row = page.locator('table tbody tr').filter({ hasText: '待备案' }).first();
  await expect(row).toContainText('中标后未按期备案');
  await expect(row).toContainText('逾期未提交');
  await row.locator('a[href^="/awards?q="]').click();
  await hydrated(page, 'AwardsPage');
  await expect(page.locator('main')).toContainText(/待备案|草稿/);

  await page.goto('/alerts?rule=award_unfiled&state=open');
  await hydrated(page, 'AlertsPage');
  await page.getByRole('link', { name: '转督办' }).first().click();
  await expect(page).toHaveURL(/\/orders\/new\?award_id=\d+&alert=\d+/);
  await hydrated(page, 'OrderNewPage');
  await expect(page.locator('main')).toContainText('待备案');
  await expect(page.locator('.alert-picks')).toContainText('中标后未按期备案');
  await page.getByLabel('整改要求').fill('请于期限内签订合同并在系统完成备案。');
  await page.getByRole('button', { name: '下发督办' }).click();
  await expect(page).toHaveURL(/\/orders\/\d+\?done=issued/);
  await hydrated(page, 'OrderPage');
  await expect(page.locator('.order-sheet')).toContainText('中标后未按期备案');
  await expect(page.locator('.order-sheet a[href^="/awards?q="]')).toHaveCount(1);
});
