import { test, expect } from '@playwright/test';
import { hydrated, loggedIn } from './helpers';

// The demo's kindergarten (教育局 jiaoyu; 温州鳌江建筑 sg_ajjz; sector 住建,
// decided by zjj) has its last quarter's evaluation still a draft.
test('an owner scores a quarter beside its evidence, the contractor objects, a supervisor decides', async ({ page, browser }) => {
  test.skip(test.info().project.name === 'phone', 'one evaluation of one quarter; phone widths are looked at in screenshots');
  // Three people in turn, each logging in: a long story, not a slow page.
  test.setTimeout(60_000);
  await loggedIn(page, 'jiaoyu');
  await page.goto('/evaluations');
  await hydrated(page, 'EvaluationsPage');
  const due = page.locator('section[aria-label=待考评] tr', { hasText: '城西幼儿园' });
  await expect(due).toContainText('已逾期');
  await due.getByRole('link', { name: /继续考评/ }).click();
  await expect(page).toHaveURL(/\/evaluations\/\d+$/);
  const url = page.url();
  await hydrated(page, 'EvaluationPage');

  // The evidence is beside the scores: attendance, progress, orders.
  const evidence = page.locator('#evidence');
  await expect(evidence).toContainText('关键人员出勤');
  await expect(evidence.locator('tbody tr').first()).toContainText('%');
  await expect(page.locator('#scores')).toContainText('依据关键人员考勤与更换');

  // A score away from the proposal needs a reason, at its field.
  const scores = ['1', '11', '38', '12', '11'];
  for (const [n, s] of scores.entries()) await page.locator(`#f-score-${n}`).fill(s);
  await page.getByRole('button', { name: '保存评分' }).click();
  await expect(page.locator('#f-reason-0-err')).toContainText('建议分');
  await expect(page.locator('#f-score-0')).toHaveValue('1');
  for (const n of [0, 1, 2, 3, 4]) await page.locator(`#f-reason-${n}`).fill('依监理月报和现场检查记录');
  await page.locator('#f-score-0').fill('10');
  await page.getByRole('button', { name: '保存评分' }).click();
  await expect(page).toHaveURL(/done=saved/);
  await hydrated(page, 'EvaluationPage');
  await expect(page.locator('.summary')).toContainText('82');
  await page.getByRole('button', { name: '提交考评' }).click();
  await expect(page).toHaveURL(/done=submitted/);
  await expect(page.locator('.summary')).toContainText('合格');

  // The contractor objects within the period.
  const contractor = await browser.newPage();
  await loggedIn(contractor, 'sg_ajjz');
  await contractor.goto(url);
  await hydrated(contractor, 'EvaluationPage');
  await expect(contractor.locator('#scores input')).toHaveCount(0);
  await contractor.getByLabel('异议理由').fill('过程管理扣分未考虑 8 月台风停工 6 天');
  await contractor.getByRole('button', { name: '提出异议' }).click();
  await expect(contractor).toHaveURL(/done=objected/);
  await expect(contractor.locator('#objection')).toContainText('异议待答复');
  // Another company cannot open it.
  const stranger = await browser.newPage();
  await loggedIn(stranger, 'sg_kyjt');
  const refused = await stranger.goto(url);
  expect(refused!.status()).toBe(403);

  // The owner answers; the transport bureau upholds it.
  await page.bringToFront();
  await page.goto(url);
  await hydrated(page, 'EvaluationPage');
  await page.getByLabel('答复意见').fill('台风停工已按工期顺延计算，扣分依据为 9 月进度');
  await page.getByRole('button', { name: '答复异议' }).click();
  await expect(page.locator('#objection')).toContainText('异议待裁定');

  const supervisor = await browser.newPage();
  await loggedIn(supervisor, 'zjj');
  await supervisor.goto('/evaluations?status=objecting');
  await hydrated(supervisor, 'EvaluationsPage');
  await supervisor.locator('tr', { hasText: '城西幼儿园' }).getByRole('link').first().click();
  await hydrated(supervisor, 'EvaluationPage');
  await supervisor.getByRole('radio', { name: /异议成立/ }).check();
  await supervisor.getByLabel('裁定意见').fill('台风停工期间不应计入工期考核，请重新评分');
  await supervisor.getByRole('button', { name: '提交裁定' }).click();
  await expect(supervisor.locator('#objection')).toContainText('异议成立');
  await expect(supervisor.locator('.summary')).toContainText('须重新评分');

  // The contractor's record shows the evaluation.
  await contractor.goto('/contractors/0');
  await hydrated(contractor, 'ContractorPage');
  await expect(contractor.locator('section[aria-label=考评]')).toContainText('城西幼儿园');
});
