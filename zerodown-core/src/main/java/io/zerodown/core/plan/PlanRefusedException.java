package io.zerodown.core.plan;

import io.zerodown.api.ZerodownException;

/**
 * zerodown will not run a statement: it would break running app code without an allow directive, fail on the
 * existing data, or needs a case zerodown does not support yet. Nothing has been changed when this is thrown.
 */
public class PlanRefusedException extends ZerodownException {
    private final String location;

    public PlanRefusedException(String location, String problem, String whatToDo) {
        super(location + ": " + problem + (whatToDo == null ? "" : "\n  what to do: " + whatToDo));
        this.location = location;
    }

    /** file:line of the statement. */
    public String location() {
        return location;
    }
}
