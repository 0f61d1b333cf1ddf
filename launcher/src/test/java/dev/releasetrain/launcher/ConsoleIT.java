package dev.releasetrain.launcher;

import dev.releasetrain.cli.ReleaseClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console in a real browser (Debian's chromium through chromedriver, driven by Selenium) against the shared
 * embedded stack: alice signs in, plans a monthly release on the "New release" page (the version bump's diff, the branch
 * it creates, a step it cannot plan) and starts it from there, sees its first step fail (refused once by the Slack
 * stand-in) and retries it from the release page, sees the steps turn green live, is refused approving
 * break-the-release (she started the release: the API's message is shown), signs out; bob signs in and approves it;
 * the people around the release do the rest over REST and in the sandbox; the Gantt chart shows the retried step's
 * two attempts. Screenshots (1280 and 390 px wide, the plan page among them) go to target/console-*.png.
 */
@ExtendWith(SharedStack.class)
@Order(3) // after CliIT and ReleaseFlowIT on the shared stack; a version of its own
class ConsoleIT {
    static final String VERSION = "1.40.0";
    static final String FAILING = "notify.announce-code-freeze";
    static final Path CHROMIUM = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("console.chromedriver", "/usr/bin/chromedriver"));
    static final Duration STEP_WAIT = Duration.ofSeconds(60);
    /** Planning clones and works out every git step in the git service. */
    static final Duration PLAN_WAIT = Duration.ofSeconds(180);

    static Stack stack;
    static WebDriver driver;
    static Path profile;

    @BeforeAll
    static void start(Stack shared) throws Exception {
        stack = shared;
        // .ci/run installs chromium and chromium-driver; without them this test fails rather than skips
        assertTrue(Files.isExecutable(CHROMIUM), "no browser at " + CHROMIUM + ": apt-get install -y chromium chromium-driver");
        assertTrue(Files.isExecutable(CHROMEDRIVER), "no chromedriver at " + CHROMEDRIVER + ": apt-get install -y chromium-driver");
        profile = Files.createTempDirectory("console-it-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile()).addArguments("--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,900");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void aReleaseIsStartedFollowedLiveRetriedAndApprovedInTheBrowser() throws Exception {
        FailOnce.Fault fault = FailOnce.of(FAILING, VERSION);
        stack.sandbox().inject(fault.standIn(), fault.spec());
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> peopleFailed = new AtomicReference<>();
        Thread people = new Thread(() -> {
            try {
                actAsThePeopleAroundTheRelease(stop);
            } catch (Throwable t) {
                peopleFailed.set(t);
            }
        }, "console-it-people");

        // alice signs in, goes from the list's start form to the "New release" page, plans the release and starts it there
        driver.get(stack.coordinatorUrl() + "/");
        signIn("alice");
        wait(STEP_WAIT).until(ExpectedConditions.elementToBeClickable(By.id("start-version"))).sendKeys(VERSION);
        click(By.id("plan-release"));
        wait(STEP_WAIT).until(ExpectedConditions.urlContains("/new.html?version=" + VERSION));
        assertEquals(VERSION, wait(STEP_WAIT).until(d -> d.findElement(By.id("plan-version")).getDomProperty("value")));
        click(By.id("plan-submit"));
        planShowsTheBumpAndWhatItCreates();
        driver.manage().window().setSize(new Dimension(390, 844));
        fitsTheWidth("the plan page");
        screenshot("plan-390");
        driver.manage().window().setSize(new Dimension(1280, 900));
        ((JavascriptExecutor) driver).executeScript("document.getElementById('plan-step-git.bump-version').scrollIntoView();");
        screenshot("plan-1280");
        click(By.id("start-planned"));
        assertTrue(text(By.cssSelector("dialog")).contains("Start release " + VERSION), "the confirmation names the version");
        confirm();
        wait(STEP_WAIT).until(ExpectedConditions.urlContains("/release.html?version=" + VERSION));
        people.start();
        ((JavascriptExecutor) driver).executeScript("window.consoleItMarker = 'not reloaded';");

        // the first step fails (the stand-in refuses it once); alice retries it from the page
        wait(STEP_WAIT).until(ExpectedConditions.elementToBeClickable(By.id("retry-" + FAILING)));
        screenshot("failed-step");
        click(By.id("retry-" + FAILING));
        fill("reason", "Slack recovered");
        confirm();

        // the steps turn green live, without a reload
        waitForStep("git.cut-release-branch", "succeeded");
        waitForStep(FAILING, "succeeded");
        assertEquals("not reloaded", ((JavascriptExecutor) driver).executeScript("return window.consoleItMarker;"),
                "the page followed the release over SSE without reloading");

        // break-the-release waits for an approver who did not start the release: alice is refused, in the API's words
        click(By.id("approve-break-the-release"));
        confirm();
        WebElement refusal = wait(STEP_WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog .error")));
        assertTrue(refusal.getText().contains("alice started release " + VERSION), refusal.getText());
        click(By.xpath("//dialog//button[text()='Cancel']"));

        // bob signs in on the same page (a deep link to the gate) and approves it
        click(By.id("sign-out"));
        wait(STEP_WAIT).until(ExpectedConditions.elementToBeClickable(By.id("token")));
        driver.get(stack.coordinatorUrl() + "/release.html?version=" + VERSION + "#step-break-the-release");
        signIn("bob");
        click(By.id("approve-break-the-release"));
        fill("note", "no blockers in the playground");
        confirm();
        wait(STEP_WAIT).until(d -> d.findElement(By.id("step-break-the-release")).getText().contains("approved by bob"));

        // the rest of the release happens around the page; it ends completed with two attempts of the retried step
        wait(Duration.ofSeconds(90)).until(d -> {
            if (peopleFailed.get() != null) {
                throw new AssertionError("the people around the release failed", peopleFailed.get());
            }
            return "completed".equals(d.findElement(By.cssSelector("#release-header h1")).getAttribute("data-status"));
        });
        stop.set(true);
        List<String> attempts = wait(STEP_WAIT).until(d -> d.findElements(By.cssSelector("li[id='step-" + FAILING + "'] button.bar"))
                .stream().map(b -> b.getAttribute("data-status")).toList());
        assertEquals(List.of("failed", "succeeded"), attempts, "two attempts of " + FAILING + " in the Gantt chart");
        String gate = text(By.id("step-break-the-release"));
        assertTrue(gate.contains("approved by bob") && gate.contains("no blockers in the playground"), gate);
        assertTrue(driver.findElements(By.cssSelector("#event-log li[data-type=ReleaseCompleted]")).size() == 1);

        // the whole chart, for the README (docs/console.png is a copy of it)
        JavascriptExecutor js = (JavascriptExecutor) driver;
        long chartBottom = ((Number) js.executeScript(
                "return Math.ceil(document.getElementById('gantt').getBoundingClientRect().bottom + window.scrollY);")).longValue();
        driver.manage().window().setSize(new Dimension(1280, (int) Math.min(chartBottom + 40, 2400)));
        js.executeScript("window.scrollTo(0, 0);");
        Path wide = screenshot("release-1280");
        driver.manage().window().setSize(new Dimension(1280, 900));

        // an attempt's details, opened from the keyboard: the failed one says why
        wait(STEP_WAIT).until(d -> {
            d.findElement(By.id("bar-" + FAILING + "-1")).sendKeys(Keys.ENTER);
            return true;
        });
        wait(STEP_WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("attempt-details")));
        String shown = text(By.id("attempt-details"));
        assertTrue(shown.contains("invalid_arguments") && shown.contains("Parameters"), shown);
        assertFalse(shown.contains("[object") || shown.contains("null"), shown);
        screenshot("attempt-1280");
        driver.manage().window().setSize(new Dimension(390, 844));
        fitsTheWidth("the release page");
        screenshot("release-390");
        driver.get(stack.coordinatorUrl() + "/");
        wait(STEP_WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("calendar")));
        fitsTheWidth("the releases list");
        screenshot("list-390");
        driver.manage().window().setSize(new Dimension(1280, 900));
        driver.navigate().refresh();
        wait(STEP_WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("#releases tr[data-version='" + VERSION + "']")));
        String row = text(By.cssSelector("#releases tr[data-version='" + VERSION + "']"));
        assertTrue(row.contains("completed") && row.contains("alice"), row);
        screenshot("list-1280");
        people.join(Duration.ofSeconds(30).toMillis());
        assertTrue(Files.size(wide) > 0);
    }

    /**
     * The plan on the page: the version bump's diff of posthog/version.py line by line with its signs (the colour only
     * repeats them), the release branch the cut would create (new), every step planned (the sandbox's stack gives every
     * service's address), and the release post the notify service would draft, rendered from its plan.
     */
    private void planShowsTheBumpAndWhatItCreates() {
        By bump = By.cssSelector("li[id='plan-step-git.bump-version'] figure[data-path='posthog/version.py'] pre.diff");
        WebElement diff = wait(PLAN_WAIT).until(ExpectedConditions.visibilityOfElementLocated(bump));
        List<String> added = diff.findElements(By.cssSelector(".d-add")).stream().map(WebElement::getText).toList();
        List<String> removed = diff.findElements(By.cssSelector(".d-del")).stream().map(WebElement::getText).toList();
        assertTrue(added.contains("+VERSION = \"" + VERSION + "\""), "added lines of the diff: " + added);
        assertTrue(removed.stream().anyMatch(l -> l.startsWith("-VERSION = ")), "removed lines of the diff: " + removed);
        assertEquals("0", diff.getDomAttribute("tabindex"), "a wide diff scrolls from the keyboard");
        String cut = text(By.cssSelector("li[id='plan-step-git.cut-release-branch'] ul.creates"));
        assertTrue(cut.contains("+ new") && cut.contains("release-" + VERSION), cut);
        String summary = text(By.id("plan-summary"));
        assertTrue(summary.contains(VERSION) && summary.contains("Owner") && summary.contains("Release day"), summary);
        String notPlanned = text(By.id("not-planned"));
        assertTrue(notPlanned.contains("Every step was planned."), notPlanned);
        assertEquals("true", driver.findElement(By.id("plan-step-git.await-sync-merge")).getDomAttribute("data-planned"));
        // another service's plan, shown as data: the release post notify would open a pull request with
        String post = driver.findElement(By.cssSelector("li[id='plan-step-notify.draft-release-post'] .step-plan"))
                .getDomProperty("textContent");
        assertTrue(post != null && post.contains(VERSION), "the planned release post names the version: " + post);
    }

    /** The marketing reviewer, the release owner approving release-day early, and a maintainer merging the sync PR. */
    private void actAsThePeopleAroundTheRelease(AtomicBoolean stop) {
        ReleaseClient alice = new ReleaseClient(stack.coordinatorUrl(), "alice", stack.apiToken("alice"));
        Demo demo = new Demo(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), VERSION, "", false);
        AtomicBoolean merged = new AtomicBoolean();
        alice.follow(VERSION, null, e -> {
            String step = e.data().path("data").path("step").asText();
            if ("StepSucceeded".equals(e.type()) && "notify.draft-release-post".equals(step)) {
                stack.sandbox().approvePullRequest("PostHog/posthog.com",
                        e.data().path("data").path("outputs").path("pullRequest").asInt(), "marketing-reviewer");
            }
            if ("GateOpened".equals(e.type()) && "release-day".equals(e.data().path("data").path("gate").asText())) {
                alice.post("/releases/" + VERSION + "/gates/release-day/approve", "{\"note\":\"early, from the console test\"}");
            }
            if (("StepStarted".equals(e.type()) || "StepProgress".equals(e.type())) && "git.await-sync-merge".equals(step)
                    && merged.compareAndSet(false, true)) {
                demo.mergeSyncPullRequest(stack.sandbox(), alice, VERSION);
            }
            return !stop.get() && !"ReleaseCompleted".equals(e.type()) && !"ReleaseCancelled".equals(e.type());
        });
    }

    private void signIn(String user) {
        WebElement token = wait(STEP_WAIT).until(ExpectedConditions.elementToBeClickable(By.id("token")));
        token.sendKeys(stack.apiToken(user));
        click(By.cssSelector("#sign-in button[type=submit]"));
        wait(STEP_WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("signed-in-as"), user));
    }

    /** The text of what {@code by} finds, read again if the page re-rendered it meanwhile. */
    private String text(By by) {
        return wait(STEP_WAIT).until(d -> d.findElement(by).getText());
    }

    /** Nothing sticks out sideways: the page scrolls only down. */
    private void fitsTheWidth(String page) {
        wait(STEP_WAIT).withMessage(page + " is wider than the window").until(d -> (Boolean) ((JavascriptExecutor) d).executeScript(
                "return document.documentElement.scrollWidth <= document.documentElement.clientWidth;"));
    }

    private void fill(String field, String text) {
        wait(STEP_WAIT).until(ExpectedConditions.elementToBeClickable(By.cssSelector("dialog [name='" + field + "']"))).sendKeys(text);
    }

    private void confirm() {
        click(By.cssSelector("dialog button[type=submit]"));
    }

    /** Clicks what {@code by} finds, again if the page re-rendered it meanwhile (it does on every event). */
    private void click(By by) {
        wait(STEP_WAIT).until(d -> {
            WebElement e = d.findElement(by);
            if (!e.isDisplayed() || !e.isEnabled()) {
                return false;
            }
            e.click();
            return true;
        });
    }

    private void waitForStep(String step, String status) {
        wait(STEP_WAIT).until(d -> status.equals(d.findElement(By.id("step-" + step)).getAttribute("data-status")));
    }

    private static WebDriverWait wait(Duration timeout) {
        WebDriverWait w = new WebDriverWait(driver, timeout);
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class);
        return w;
    }

    private static Path screenshot(String name) throws Exception {
        Path target = Path.of("target", "console-" + name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }
}
