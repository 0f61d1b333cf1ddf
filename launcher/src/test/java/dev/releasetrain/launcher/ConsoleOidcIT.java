package dev.releasetrain.launcher;

import dev.releasetrain.sandbox.OidcProviderStandIn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * "Sign in with <provider>" in a real browser (Debian's chromium through chromedriver) against a stack of its own
 * whose coordinator has the API and the console on OIDC, pointed at {@link OidcProviderStandIn} (the real protocol:
 * discovery, JWKS, a login form, codes, PKCE, signed tokens). vera, a viewer at the provider, signs in there from the
 * sign-in page and comes back signed in with her roles only (no start form, the "New release" page refuses her);
 * she signs out and the sign-in form is back. alice, a release manager, signs in from a deep link to the "New
 * release" page and lands on it, plans and starts a release there, and its page follows the release live over the
 * event stream the session cookie opens. Screenshots go to target/console-oidc-*.png.
 */
class ConsoleOidcIT {
    static final String CLIENT = "release-train-console";
    static final String SECRET = "console-client-secret-for-the-browser-test-7d3e";
    static final Duration WAIT = Duration.ofSeconds(60);

    static OidcProviderStandIn idp;
    static Stack stack;
    static WebDriver driver;
    static Path profile;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(ConsoleIT.CHROMIUM), "no browser at " + ConsoleIT.CHROMIUM + ": apt-get install -y chromium chromium-driver");
        assertTrue(Files.isExecutable(ConsoleIT.CHROMEDRIVER), "no chromedriver at " + ConsoleIT.CHROMEDRIVER + ": apt-get install -y chromium-driver");
        idp = new OidcProviderStandIn(CLIENT, SECRET, Map.of("vera", List.of("viewer"), "alice", List.of("release-manager", "approver")));
        stack = Stack.start(System.out::println, Demo.RUNBOOK, Map.of(
                "quarkus.oidc.tenant-enabled", "true",
                "quarkus.oidc.auth-server-url", idp.issuer(),
                "quarkus.oidc.client-id", "release-train",
                "quarkus.oidc.console.tenant-enabled", "true",
                "quarkus.oidc.console.auth-server-url", idp.issuer(),
                "quarkus.oidc.console.client-id", CLIENT,
                "quarkus.oidc.console.credentials.secret", SECRET,
                "release-train.console.oidc.provider-name", "Stand-in IdP"));
        profile = Files.createTempDirectory("console-oidc-it-chromium");
        ChromeOptions options = new ChromeOptions().setBinary(ConsoleIT.CHROMIUM.toFile()).addArguments("--headless", "--no-sandbox",
                "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile, "--window-size=1280,900");
        driver = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(ConsoleIT.CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (driver != null) {
            driver.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (idp != null) {
            idp.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void peopleSignInAtTheProviderAndActWithTheirRoles() throws Exception {
        // vera: the sign-in page offers the provider; she signs in there and comes back a viewer
        driver.get(stack.coordinatorUrl() + "/");
        WebElement offer = wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("sign-in-oidc")));
        assertEquals("Sign in with Stand-in IdP", offer.getText());
        screenshot("sign-in");
        offer.click();
        signInAtTheProvider("vera");
        wait(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("signed-in-as"), "vera (viewer)"));
        wait(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("calendar")));
        assertTrue(driver.findElements(By.id("start-release")).isEmpty(), "a viewer gets no start form");
        assertTrue(driver.manage().getCookieNamed("release_train_session").isHttpOnly(), "the console's cookie is HttpOnly");
        driver.get(stack.coordinatorUrl() + "/new.html");
        String refused = wait(WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("main .error"))).getText();
        assertTrue(refused.contains("needs the release-manager role") && refused.contains("vera has viewer"), refused);

        // signing out ends the session: the sign-in page again
        wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("sign-out"))).click();
        wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("sign-in-oidc")));
        assertEquals(null, driver.manage().getCookieNamed("release_train_session"));

        // alice signs in from a deep link and lands where she was going, allowed to plan
        driver.get(stack.coordinatorUrl() + "/new.html?version=1.30.0");
        wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("sign-in-oidc"))).click();
        signInAtTheProvider("alice");
        wait(WAIT).until(ExpectedConditions.urlContains("/new.html?version=1.30.0"));
        wait(WAIT).until(ExpectedConditions.textToBePresentInElementLocated(By.id("signed-in-as"), "alice"));
        assertEquals("1.30.0", wait(WAIT).until(d -> d.findElement(By.id("plan-version")).getDomProperty("value")));
        screenshot("new-release");
        assertEquals(2, idp.issued.get(), "two codes exchanged: " + idp.refusals);

        // her session plans and starts the release (CSRF token and all), and the release page follows it live
        driver.findElement(By.id("plan-submit")).click();
        wait(ConsoleIT.PLAN_WAIT).until(ExpectedConditions.elementToBeClickable(By.id("start-planned"))).click();
        wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.cssSelector("dialog button[type=submit]"))).click();
        wait(WAIT).until(ExpectedConditions.urlContains("/release.html?version=1.30.0"));
        ((JavascriptExecutor) driver).executeScript("window.consoleItMarker = 'not reloaded';");
        wait(WAIT).until(d -> "succeeded".equals(d.findElement(By.id("step-notify.announce-code-freeze")).getAttribute("data-status")));
        assertEquals("not reloaded", ((JavascriptExecutor) driver).executeScript("return window.consoleItMarker;"),
                "the step turned green over the event stream the session cookie opened, without a reload");
    }

    /** The provider's login form: the person's name, then "Sign in"; back on the console. */
    private void signInAtTheProvider(String user) {
        wait(WAIT).until(ExpectedConditions.urlContains(idp.issuer() + "/authorize"));
        wait(WAIT).until(ExpectedConditions.elementToBeClickable(By.id("username"))).sendKeys(user);
        driver.findElement(By.id("allow")).click();
        wait(WAIT).until(ExpectedConditions.urlContains(stack.coordinatorUrl()));
    }

    private static WebDriverWait wait(Duration timeout) {
        WebDriverWait w = new WebDriverWait(driver, timeout);
        w.ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class);
        return w;
    }

    private static void screenshot(String name) throws Exception {
        Path target = Path.of("target", "console-oidc-" + name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
