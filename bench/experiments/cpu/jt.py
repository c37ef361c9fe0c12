# jt.py FILE.jfr THREADRE [N]: self and inclusive frames of samples of threads matching THREADRE
import re,collections,sys,subprocess
txt=subprocess.run(['jfr','print','--stack-depth','64','--events','jdk.ExecutionSample',sys.argv[1]],capture_output=True,text=True).stdout
events=txt.split('jdk.ExecutionSample')[1:]
top=collections.Counter(); incl=collections.Counter(); n=0
for e in events:
    th=re.search(r'sampledThread = "([^"]*)"',e)
    if not th or not re.search(sys.argv[2],th.group(1)): continue
    frames=[f.split('(')[0] for f in re.findall(r'^\s+([\w\.$<>]+\([^)]*\))\s+line:',e,re.M)]
    if not frames: continue
    n+=1
    top[frames[0]]+=1
    for f in set(frames): incl[f]+=1
N=int(sys.argv[3]) if len(sys.argv)>3 else 25
print('samples',n)
for f,c in top.most_common(N): print('%5d %5.1f%% %s'%(c,100*c/n,f))
print('--- inclusive')
for f,c in incl.most_common(2*N): print('%5d %5.1f%% %s'%(c,100*c/n,f))
